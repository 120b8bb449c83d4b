-- wrk: POST one JSON-RPC 2.0 call of Arith.Multiply to the URL given on
-- wrk's command line (http://127.0.0.1:PORT/_goRPC_), over keep-alive
-- connections. wrk counts non-2xx answers; bench/run checks the bodies
-- separately with the load generator (-proto http) before each HTTP scenario.
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}'
wrk.headers["Content-Type"] = "application/json"
