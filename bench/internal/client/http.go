package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// httpConn posts JSON-RPC 2.0 requests over one keep-alive connection. Send
// makes the whole round trip; Recv hands its outcome back.
type httpConn struct {
	client *http.Client
	url    string
	buf    []byte
	id     uint64
	ready  []Reply
	tr     *http.Transport
}

func dialHTTP(addr string, o Options) (Conn, error) {
	// One transport per connection: exactly one keep-alive connection each.
	tr := &http.Transport{
		DialContext:         o.Dialer.DialContext,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		DisableCompression:  true,
	}
	return &httpConn{client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		url: "http://" + addr + o.Path, tr: tr}, nil
}

func (h *httpConn) Send(a, b int64) error {
	h.id++
	h.buf = appendRequest(h.buf[:0], a, b, h.id)
	r := Reply{A: a, B: b, Sent: time.Now()}
	resp, err := h.client.Post(h.url, "application/json", bytes.NewReader(h.buf))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		r.Err = fmt.Errorf("http: %s: %q", resp.Status, body)
	} else {
		r.Result, r.Err = parseReply(body, h.id)
	}
	h.ready = append(h.ready, r)
	return nil
}

func parseReply(body []byte, id uint64) (int64, error) {
	var m reply2
	if err := json.Unmarshal(body, &m); err != nil {
		return 0, fmt.Errorf("http: reply %q: %v", body, err)
	}
	if m.ID == nil || *m.ID != id {
		return 0, fmt.Errorf("http: reply %q does not carry id %d", body, id)
	}
	if m.Error != nil {
		return 0, fmt.Errorf("http: error %d: %s", m.Error.Code, m.Error.Message)
	}
	return strconv.ParseInt(string(m.Result), 10, 64)
}

func (h *httpConn) Flush() error { return nil }

func (h *httpConn) Ready() bool { return len(h.ready) > 0 }

func (h *httpConn) Recv() (Reply, error) {
	if len(h.ready) == 0 {
		return Reply{}, errors.New("http: Recv without Send")
	}
	r := h.ready[0]
	h.ready = h.ready[1:]
	return r, nil
}

func (h *httpConn) Close() error {
	h.tr.CloseIdleConnections()
	return nil
}
