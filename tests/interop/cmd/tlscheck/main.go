// tlscheck starts plugrpcd with a tls:// listener (a fresh self-signed
// certificate, given by paths relative to the config file) and talks to it
// with Go's crypto/tls: net/rpc gob, gob after an HTTP CONNECT, jsonrpc,
// HTTPS POST of JSON-RPC 2.0 and the debug page. It also checks what must
// fail: a client that does not trust the certificate, plain text on the TLS
// port, and a client that never starts the handshake. One line per check;
// exit 1 if any line starts with FAIL.
//
//	tlscheck -plugrpcd BIN -plugin arith.so
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"plugrpc.test/interop/tlsrun"
)

// selfSigned writes cert.pem and key.pem for 127.0.0.1 into dir.
func selfSigned(dir string) (*x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "plugrpcd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o644); err != nil {
		return nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool, nil
}

func main() {
	bin, plugin, dir := tlsrun.Setup("tlscheck")
	defer os.RemoveAll(dir)
	pool, err := selfSigned(dir)
	if err != nil {
		fmt.Println("FAIL: making a certificate:", err)
		os.Exit(1)
	}
	cmd, addr := tlsrun.MustStart(bin, plugin, dir, `[tls]
cert_file = "cert.pem"
key_file = "key.pem"
[limits]
header_timeout = "1s"
`)
	trusted := &tls.Config{RootCAs: pool}

	gobOverTLS(addr, trusted)
	gobOverConnect(addr, trusted)
	jsonOverTLS(addr, trusted)
	httpsPost(addr, trusted)
	mustFail(addr)

	tlsrun.Stop(cmd)
	if tlsrun.Failed {
		os.Exit(1)
	}
}

func arith(c *rpc.Client, transport string) {
	var prod int64
	err := c.Call("Arith.Multiply", tlsrun.Args{A: 7, B: 8}, &prod)
	tlsrun.Check(err == nil && prod == 56, transport+": Arith.Multiply(7, 8) = 56", err, prod)
	err = c.Call("Arith.Divide", tlsrun.Args{A: 1, B: 0}, &prod)
	tlsrun.Check(err != nil && err.Error() == "divide by zero", transport+": Arith.Divide(1, 0) fails with divide by zero", err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for i := int64(0); i < 200; i++ {
		wg.Add(1)
		go func(i int64) {
			defer wg.Done()
			var p int64
			if err := c.Call("Arith.Multiply", tlsrun.Args{A: i, B: i + 3}, &p); err != nil || p != i*(i+3) {
				mu.Lock()
				bad++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	tlsrun.Check(bad == 0, transport+": 200 concurrent calls on one connection all answered right", bad, " wrong")
}

func gobOverTLS(addr string, cfg *tls.Config) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		tlsrun.Check(false, "gob: TLS handshake", err)
		return
	}
	c := rpc.NewClient(conn)
	defer c.Close()
	arith(c, "gob")
}

// Go's rpc.DialHTTP, over TLS: CONNECT, then gob.
func gobOverConnect(addr string, cfg *tls.Config) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		tlsrun.Check(false, "gob after CONNECT: TLS handshake", err)
		return
	}
	io.WriteString(conn, "CONNECT "+rpc.DefaultRPCPath+" HTTP/1.0\n\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: "CONNECT"})
	if err != nil || resp.Status != "200 Connected to Go RPC" {
		tlsrun.Check(false, "gob after CONNECT: 200 Connected to Go RPC", err)
		conn.Close()
		return
	}
	c := rpc.NewClient(conn)
	defer c.Close()
	arith(c, "gob after CONNECT")
}

func jsonOverTLS(addr string, cfg *tls.Config) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		tlsrun.Check(false, "jsonrpc: TLS handshake", err)
		return
	}
	c := jsonrpc.NewClient(conn)
	defer c.Close()
	arith(c, "jsonrpc")
}

func httpsPost(addr string, cfg *tls.Config) {
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
	body := `{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1}`
	resp, err := client.Post("https://"+addr+rpc.DefaultRPCPath, "application/json", strings.NewReader(body))
	if err != nil {
		tlsrun.Check(false, "https: POST JSON-RPC 2.0", err)
		return
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tlsrun.Check(resp.StatusCode == 200 && bytes.Contains(got, []byte(`"result":42`)), "https: POST Arith.Multiply(6, 7) = 42",
		resp.Status, " ", string(got))

	resp, err = client.Get("https://" + addr + rpc.DefaultDebugPath)
	if err != nil {
		tlsrun.Check(false, "https: GET the debug page", err)
		return
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	tlsrun.Check(resp.StatusCode == 200 && bytes.Contains(got, []byte("Multiply")),
		"https: the debug page, asked from loopback, lists Arith's Multiply", resp.Status, " ", string(got))
}

func mustFail(addr string) {
	_, err := tls.Dial("tcp", addr, &tls.Config{})
	tlsrun.Check(err != nil && strings.Contains(err.Error(), "certificate"),
		"a client that does not trust the certificate refuses it", err)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		io.WriteString(conn, `{"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1}`+"\n")
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		got, rerr := io.ReadAll(conn)
		conn.Close()
		tlsrun.Check(!bytes.Contains(got, []byte("56")) && !isTimeout(rerr),
			"plain JSON on the TLS port gets no answer and is closed", rerr)
	}

	conn, err = net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		start := time.Now()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, rerr := io.ReadAll(conn)
		conn.Close()
		took := time.Since(start)
		tlsrun.Check(!isTimeout(rerr) && took < 3*time.Second,
			"a client that never starts the handshake is closed after header_timeout (1s)", took, rerr)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
