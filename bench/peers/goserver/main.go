// Command goserver is the Go peer of the benchmarks: Go's own net/rpc
// serving Go's Arith example (and Blocking.Sleep, the blocking scenario's
// method), over one protocol per process so its CPU time is that protocol's
// alone.
//
//	goserver -mode gob      -addr 127.0.0.1:PORT  # rpc.ServeConn on each TCP connection
//	goserver -mode gobhttp  -addr ...             # rpc.HandleHTTP: CONNECT /_goRPC_, then gob
//	goserver -mode jsonrpc  -addr ...             # jsonrpc.ServeConn (Go's JSON codec)
//	goserver -mode http     -addr ...             # net/http: JSON-RPC 2.0 POSTs on /_goRPC_
//
// It prints "listening ADDR" once it accepts connections and serves until
// killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"

	"plugrpc.bench/internal/arith"
	"plugrpc.bench/internal/blocking"
)

func main() {
	mode := flag.String("mode", "gob", "gob, gobhttp, jsonrpc or http")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()

	srv := rpc.NewServer()
	if err := srv.Register(new(arith.Arith)); err != nil {
		log.Fatal(err)
	}
	if err := srv.Register(new(blocking.Blocking)); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening", ln.Addr())
	os.Stdout.Sync()

	switch *mode {
	case "gob":
		srv.Accept(ln)
	case "jsonrpc":
		for {
			c, err := ln.Accept()
			if err != nil {
				log.Fatal(err)
			}
			go srv.ServeCodec(jsonrpc.NewServerCodec(c))
		}
	case "gobhttp":
		mux := http.NewServeMux()
		mux.Handle(rpc.DefaultRPCPath, srv)
		log.Fatal(http.Serve(ln, mux))
	case "http":
		mux := http.NewServeMux()
		mux.Handle(rpc.DefaultRPCPath, jsonRPC2Handler{srv})
		log.Fatal(http.Serve(ln, mux))
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}
