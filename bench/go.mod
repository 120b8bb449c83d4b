module plugrpc.bench

go 1.19
