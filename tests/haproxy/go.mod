module plugrpc.test/haproxy

go 1.19
