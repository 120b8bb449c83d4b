// Package client speaks the protocols the benchmarks load servers with,
// behind one small interface that keeps many calls in flight on one
// connection: Send starts a call, Recv returns the next reply to arrive.
//
//	gob       Go's net/rpc client over TCP (rpc.NewClient, Client.Go)
//	gobhttp   the same after CONNECT /_goRPC_ (rpc.DialHTTP)
//	jsonrpc   Go's net/rpc/jsonrpc client
//	jsonrpc2  JSON-RPC 2.0 over TCP: one request per line, replies read with
//	          a json.Decoder and matched by id
//	http      JSON-RPC 2.0 in HTTP POSTs to /_goRPC_ (keep-alive; HTTP/1.1
//	          has no pipelining here, so one call in flight per connection)
//
// Every call is Arith.Multiply(A, B); Reply carries A and B back so the
// caller can check the result.
package client

import (
	"fmt"
	"net"
	"time"
)

// Protocols lists the names Dial accepts.
var Protocols = []string{"gob", "gobhttp", "jsonrpc", "jsonrpc2", "http"}

// Reply is the outcome of one call.
type Reply struct {
	A, B   int64
	Sent   time.Time
	Result int64
	Err    error // transport or protocol error, or the server's error text
}

// Conn is one connection to a server.
type Conn interface {
	// Send starts Arith.Multiply(a, b). It may buffer; see Flush.
	Send(a, b int64) error
	// Flush writes what Send buffered.
	Flush() error
	// Recv waits for the next reply, in the order the server sent them.
	// A non-nil error means the connection is unusable.
	Recv() (Reply, error)
	// Ready reports whether Recv has a reply (or part of one) at hand, so
	// a caller can batch its sends until it would block.
	Ready() bool
	Close() error
}

// Options tune a connection.
type Options struct {
	Dialer  *net.Dialer
	MaxBusy int    // calls in flight at most (sizes internal queues)
	Path    string // HTTP path (gobhttp, http); default /_goRPC_
}

// Dial connects with protocol proto.
func Dial(proto, addr string, o Options) (Conn, error) {
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	}
	if o.MaxBusy < 1 {
		o.MaxBusy = 1
	}
	if o.Path == "" {
		o.Path = "/_goRPC_"
	}
	switch proto {
	case "gob", "gobhttp", "jsonrpc":
		return dialNetRPC(proto, addr, o)
	case "jsonrpc2":
		return dialJSON2(addr, o)
	case "http":
		if o.MaxBusy != 1 {
			return nil, fmt.Errorf("http: one call in flight per connection (no pipelining), not %d", o.MaxBusy)
		}
		return dialHTTP(addr, o)
	}
	return nil, fmt.Errorf("unknown protocol %q (want one of %v)", proto, Protocols)
}
