package client

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"time"
)

// args is Go's Arith Args; the unexported fields stay on this side (neither
// gob nor encoding/json sends them).
type args struct {
	A, B int
	sent time.Time
}

type netRPC struct {
	c    *rpc.Client
	done chan *rpc.Call
}

func dialNetRPC(proto, addr string, o Options) (Conn, error) {
	nc, err := o.Dialer.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	var c *rpc.Client
	switch proto {
	case "gob":
		c = rpc.NewClient(nc)
	case "jsonrpc":
		c = jsonrpc.NewClient(nc)
	case "gobhttp":
		if err := connect(nc, o.Path); err != nil {
			nc.Close()
			return nil, err
		}
		c = rpc.NewClient(nc)
	}
	return &netRPC{c: c, done: make(chan *rpc.Call, o.MaxBusy+1)}, nil
}

// connect is what rpc.DialHTTPPath does before handing the connection to
// the gob client.
func connect(nc net.Conn, path string) error {
	if _, err := io.WriteString(nc, "CONNECT "+path+" HTTP/1.0\n\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), &http.Request{Method: "CONNECT"})
	if err != nil {
		return err
	}
	if resp.Status != "200 Connected to Go RPC" {
		return fmt.Errorf("unexpected HTTP response: %s", resp.Status)
	}
	return nil
}

func (n *netRPC) Send(a, b int64) error {
	n.c.Go("Arith.Multiply", &args{A: int(a), B: int(b), sent: time.Now()}, new(int), n.done)
	return nil
}

func (n *netRPC) Flush() error { return nil }

func (n *netRPC) Ready() bool { return len(n.done) > 0 }

func (n *netRPC) Recv() (Reply, error) {
	call := <-n.done
	a := call.Args.(*args)
	r := Reply{A: int64(a.A), B: int64(a.B), Sent: a.sent, Result: int64(*call.Reply.(*int)), Err: call.Error}
	var se rpc.ServerError
	if call.Error != nil && !errors.As(call.Error, &se) {
		return r, call.Error // the connection broke
	}
	return r, nil
}

func (n *netRPC) Close() error { return n.c.Close() }
