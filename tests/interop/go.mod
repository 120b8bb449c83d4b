module plugrpc.test/interop

go 1.19
