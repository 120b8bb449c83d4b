// mtlscheck starts plugrpcd with a tls:// listener that verifies client
// certificates ([tls] client_ca) and lets only CN=alice,O=ops call Arith
// ([access.Arith] allow = ["subject:CN=alice,O=ops"]), then calls it with
// Go's crypto/tls and net/rpc: tls.Dial with alice's certificate and
// rpc.NewClient (gob) or jsonrpc.NewClient gets answers; bob's certificate,
// from the same CA, gets the refusal text; no certificate fails the TLS
// handshake (in TLS 1.3, the first read). Certificates are made here with
// crypto/x509. One line per check; exit 1 if any line starts with FAIL.
//
//	mtlscheck -plugrpcd BIN -plugin arith.so
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"path/filepath"
	"strings"
	"time"

	"plugrpc.test/interop/tlsrun"
)

type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64 = 1

// issue makes a certificate for `subject`, signed by `by` (self-signed when
// nil), and writes NAME.pem and NAME-key.pem into dir.
func issue(dir, name string, subject pkix.Name, by *issuer, server bool) (*issuer, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	parent, signer := tmpl, key
	switch {
	case by == nil:
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	case server:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		parent, signer = by.cert, by.key
	default:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		parent, signer = by.cert, by.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), certPEM, 0o644); err != nil {
		return nil, tls.Certificate{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-key.pem"), keyPEM, 0o600); err != nil {
		return nil, tls.Certificate{}, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	parsed, err := x509.ParseCertificate(der)
	return &issuer{parsed, key}, pair, err
}

func main() {
	bin, plugin, dir := tlsrun.Setup("mtlscheck")
	defer os.RemoveAll(dir)
	ca, _, err := issue(dir, "ca", pkix.Name{CommonName: "plugrpc test CA"}, nil, false)
	if err == nil {
		_, _, err = issue(dir, "server", pkix.Name{CommonName: "plugrpcd"}, ca, true)
	}
	var alice, bob tls.Certificate
	if err == nil {
		_, alice, err = issue(dir, "alice", pkix.Name{CommonName: "alice", Organization: []string{"ops"}}, ca, false)
	}
	if err == nil {
		_, bob, err = issue(dir, "bob", pkix.Name{CommonName: "bob", Organization: []string{"ops"}}, ca, false)
	}
	if err != nil {
		fmt.Println("FAIL: making certificates:", err)
		os.Exit(1)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)

	cmd, addr := tlsrun.MustStart(bin, plugin, dir, `[tls]
cert_file = "server.pem"
key_file = "server-key.pem"
client_ca = "ca.pem"
[access.Arith]
allow = ["subject:CN=alice,O=ops"]
`)

	for _, codec := range []string{"gob", "jsonrpc"} {
		calls(addr, codec, &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{alice}}, "alice", "")
		calls(addr, codec, &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{bob}}, "bob",
			"rpc: access to Arith.Multiply refused for 127.0.0.1 (certificate CN=bob,O=ops)")
		noCertificate(addr, codec, pool)
	}

	tlsrun.Stop(cmd)
	if tlsrun.Failed {
		os.Exit(1)
	}
}

func client(conn net.Conn, codec string) *rpc.Client {
	if codec == "gob" {
		return rpc.NewClient(conn)
	}
	return jsonrpc.NewClient(conn)
}

// calls dials with cfg and calls Arith.Multiply twice on one connection:
// answered 56 when refusal is "", else failing with exactly that text.
func calls(addr, codec string, cfg *tls.Config, who, refusal string) {
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		tlsrun.Check(false, codec+": "+who+"'s TLS handshake", err)
		return
	}
	c := client(conn, codec)
	defer c.Close()
	for i := 0; i < 2; i++ {
		var prod int64
		err := c.Call("Arith.Multiply", tlsrun.Args{A: 7, B: 8}, &prod)
		if refusal == "" {
			tlsrun.Check(err == nil && prod == 56, fmt.Sprintf("%s: %s's certificate: Arith.Multiply(7, 8) = 56 (call %d)", codec, who, i+1), err, prod)
		} else {
			tlsrun.Check(err != nil && err.Error() == refusal, fmt.Sprintf("%s: %s's certificate: refused with %q (call %d)", codec, who, refusal, i+1), err)
		}
	}
}

func noCertificate(addr, codec string, pool *x509.CertPool) {
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		tlsrun.Check(strings.Contains(err.Error(), "certificate"), codec+": no client certificate: the handshake fails", err)
		return
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := client(conn, codec)
	var prod int64
	err = c.Call("Arith.Multiply", tlsrun.Args{A: 7, B: 8}, &prod)
	// TLS 1.3: the client's handshake ends before the server has judged its
	// (missing) certificate; the server's alert arrives with the first read.
	tlsrun.Check(err != nil && (strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "tls:") || err == rpc.ErrShutdown),
		codec+": no client certificate: the TLS connection fails before any answer", err)
}
