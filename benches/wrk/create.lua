-- POST /api/v1/customers: one enterprise with a contact and a tag (codes are generated)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"压测供应链管理有限公司","kind":"enterprise","province":"浙江","city":"杭州","service_modes":["express"],"tags":["压测"],"confirm_duplicates":true,"contacts":[{"name":"测试","phone":"13900001111"}]}'
request = function()
  return wrk.format("POST", "/api/v1/customers")
end
