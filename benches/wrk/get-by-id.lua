-- GET /api/v1/customers/{random id of the 100,000 loaded}
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, 100000))
end
