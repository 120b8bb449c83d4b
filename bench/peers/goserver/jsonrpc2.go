package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/rpc"
)

// jsonRPC2Handler serves one JSON-RPC 2.0 request per POST through the
// net/rpc server, as a Go programmer bridges net/http to net/rpc: a
// ServerCodec for the one request of the POST, and Server.ServeRequest.
// Named params only ({"A":7,"B":8}); batches are not served.
type jsonRPC2Handler struct{ srv *rpc.Server }

type request2 struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	ID      json.RawMessage `json:"id"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type response2 struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

func (h jsonRPC2Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "405 must POST", http.StatusMethodNotAllowed)
		return
	}
	c := &httpCodec{w: w}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewDecoder(r.Body).Decode(&c.req); err != nil {
		c.write(response2{JSONRPC: "2.0", Error: &rpcError{-32700, "Parse error: " + err.Error()}, ID: json.RawMessage("null")})
		return
	}
	if c.req.ID == nil {
		c.req.ID = json.RawMessage("null")
	}
	h.srv.ServeRequest(c)
}

// httpCodec is a net/rpc ServerCodec for the single request of one POST.
type httpCodec struct {
	w       http.ResponseWriter
	req     request2
	written bool
}

func (c *httpCodec) ReadRequestHeader(r *rpc.Request) error {
	r.ServiceMethod = c.req.Method
	r.Seq = 0
	return nil
}

func (c *httpCodec) ReadRequestBody(x any) error {
	if x == nil {
		return nil
	}
	if c.req.Params == nil {
		return errors.New("missing params")
	}
	return json.Unmarshal(c.req.Params, x)
}

func (c *httpCodec) WriteResponse(r *rpc.Response, x any) error {
	resp := response2{JSONRPC: "2.0", ID: c.req.ID}
	if r.Error != "" {
		resp.Error = &rpcError{-32000, r.Error}
	} else {
		resp.Result = x
	}
	return c.write(resp)
}

func (c *httpCodec) write(resp response2) error {
	if c.written {
		return nil
	}
	c.written = true
	return json.NewEncoder(c.w).Encode(resp)
}

func (c *httpCodec) Close() error { return nil }
