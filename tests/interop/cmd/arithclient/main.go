// arithclient is the client of Go's net/rpc Arith example — the seed program
// of plugrpc's acceptance — followed by every error case a Go client can
// meet. It prints one line per call, so its output against plugrpcd can be
// compared line for line with its output against Go's own server.
//
//	arithclient -transport tcp|http|jsonrpc HOST:PORT
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
)

type Args struct {
	A, B int
}

type Quotient struct {
	Quo, Rem int
}

func dial(transport, addr string) (*rpc.Client, error) {
	switch transport {
	case "tcp":
		return rpc.Dial("tcp", addr)
	case "http":
		return rpc.DialHTTP("tcp", addr)
	case "jsonrpc":
		return jsonrpc.Dial("tcp", addr)
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}

func main() {
	transport := flag.String("transport", "tcp", "tcp (rpc.Dial), http (rpc.DialHTTP) or jsonrpc (jsonrpc.Dial)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: arithclient [-transport tcp|http|jsonrpc] HOST:PORT")
		os.Exit(2)
	}
	client, err := dial(*transport, flag.Arg(0))
	if err != nil {
		log.Fatal("dialing:", err)
	}

	// The seed: Go's net/rpc example, unchanged.
	args := &Args{17, 8}
	var reply int
	err = client.Call("Arith.Multiply", args, &reply)
	if err != nil {
		log.Fatal("arith error:", err)
	}
	fmt.Printf("Arith: %d*%d=%d\n", args.A, args.B, reply)

	quotient := new(Quotient)
	divCall := client.Go("Arith.Divide", args, quotient, nil)
	replyCall := <-divCall.Done
	if replyCall.Error != nil {
		log.Fatal("arith error:", replyCall.Error)
	}
	fmt.Printf("Arith: %d/%d=%d remainder %d\n", args.A, args.B, quotient.Quo, quotient.Rem)

	// Everything else: the reply or the error text, one line per call.
	multiply := func(method string, a, b int) {
		var product int
		err := client.Call(method, &Args{a, b}, &product)
		if err != nil {
			fmt.Printf("%s(%d, %d): error: %v\n", method, a, b, err)
			return
		}
		fmt.Printf("%s(%d, %d) = %d\n", method, a, b, product)
	}
	divide := func(method string, a, b int) {
		var q Quotient
		err := client.Call(method, &Args{a, b}, &q)
		if err != nil {
			fmt.Printf("%s(%d, %d): error: %v\n", method, a, b, err)
			return
		}
		fmt.Printf("%s(%d, %d) = %d remainder %d\n", method, a, b, q.Quo, q.Rem)
	}

	multiply("Arith.Multiply", 1<<40, 3)
	multiply("Arith.Multiply", -7, 6)
	multiply("Arith.Multiply", 0, 9)
	multiply("Arith.Multiply", math.MaxInt64, 2)
	multiply("Arith.Multiply", math.MinInt64, -1)
	divide("Arith.Divide", -17, 5)
	divide("Arith.Divide", 17, -5)
	divide("Arith.Divide", 17, 0)
	divide("Arith.Divide", math.MinInt64, -1)
	divide("Arith.Divide", math.MaxInt64, math.MinInt64)

	multiply("Arith.Nope", 1, 2)
	multiply("Nope.Multiply", 1, 2)
	multiply("NoDot", 1, 2)
	multiply("", 1, 2)
	multiply(".", 1, 2)
	multiply("Arith.", 1, 2)
	multiply(".Multiply", 1, 2)
	multiply("arith.Multiply", 1, 2)
	multiply("Arith.multiply", 1, 2)
	multiply("a.b.Multiply", 1, 2)
	multiply("Arith.Multiply.Extra", 1, 2)

	// After all that, the connection still works.
	multiply("Arith.Multiply", 6, 7)
	divide("Arith.Divide", 100, 7)

	// The reply decoded into the wrong Go type: the client's own error,
	// after which Go's client shuts the connection down. (A call made right
	// after it races with that shutdown inside Go's client, so none is.)
	var text string
	err = client.Call("Arith.Multiply", &Args{6, 7}, &text)
	fmt.Printf("Arith.Multiply into a string: error: %v\n", err)

	fmt.Printf("Close: %v\n", client.Close())
	multiply("Arith.Multiply", 6, 7)
	divide("Arith.Divide", 100, 7)
	fmt.Printf("Close again: %v\n", client.Close())
}
