-- Search by two Chinese characters, rotating over the same terms as consign-bench.
local terms = {"顺丰", "恒通", "冷链", "医药", "汽配", "华宇", "嘉禾", "电子", "食品", "锦程", "张伟", "鲜丰"}
local function enc(s)
  return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/customers?per_page=20&q=" .. enc(terms[i % #terms + 1]))
end
