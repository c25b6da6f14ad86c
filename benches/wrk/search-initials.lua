-- Search by pinyin initials, rotating over the same terms as consign-bench.
local terms = {"sf", "ht", "hy", "jh", "rf", "xd", "ayy", "hnyy", "szsf", "gz"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/customers?per_page=20&q=" .. terms[i % #terms + 1])
end
