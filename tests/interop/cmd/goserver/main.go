// goserver is the reference: Go's own net/rpc server, serving the Go twins of
// plugrpcd's Arith and Kitchen. It listens on three ephemeral loopback ports,
// since Go serves each protocol on its own listener:
//
//	gob 127.0.0.1:PORT       rpc.Accept (rpc.Dial)
//	http 127.0.0.1:PORT      rpc.HandleHTTP (rpc.DialHTTP)
//	jsonrpc 127.0.0.1:PORT   jsonrpc.ServeConn (jsonrpc.Dial)
//
// It prints those three lines, then serves until its standard input closes.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"

	"plugrpc.test/interop/arith"
	"plugrpc.test/interop/kitchen"
)

func listen() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal("listen:", err)
	}
	return l
}

func main() {
	if err := rpc.Register(new(arith.Arith)); err != nil {
		log.Fatal(err)
	}
	if err := rpc.Register(new(kitchen.Kitchen)); err != nil {
		log.Fatal(err)
	}
	rpc.HandleHTTP()

	gobL, httpL, jsonL := listen(), listen(), listen()
	go rpc.Accept(gobL)
	go http.Serve(httpL, nil)
	go func() {
		for {
			conn, err := jsonL.Accept()
			if err != nil {
				return
			}
			go jsonrpc.ServeConn(conn)
		}
	}()
	fmt.Printf("gob %s\nhttp %s\njsonrpc %s\n", gobL.Addr(), httpL.Addr(), jsonL.Addr())
	io.Copy(io.Discard, os.Stdin)
}
