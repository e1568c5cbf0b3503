package sipua

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// selfSigned returns a server certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parley test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startWSSRegistrar runs a minimal sipgo registrar over WSS and counts
// REGISTERs (test double for Wazo's /api/asterisk/ws).
func startWSSRegistrar(t *testing.T, cert tls.Certificate) (string, *atomic.Int32) {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-registrar"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		n.Add(1)
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if c := req.Contact(); c != nil {
			cc := c.Clone()
			cc.Params = sip.NewParams()
			cc.Params.Add("expires", "120")
			res.AppendHeader(cc)
		}
		_ = tx.Respond(res)
	})
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeWS(l) }() // TLS already terminated by the listener
	t.Cleanup(func() { _ = l.Close(); _ = ua.Close() })
	return l.Addr().String(), &n
}

func TestWSSRegisterVerifiesTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	addr, n := startWSSRegistrar(t, cert)

	t.Run("trusted", func(t *testing.T) {
		ua := newTestUA(t, Config{Transport: "wss", Server: addr, WSPath: "/api/asterisk/ws",
			Domain: "wazo.example", Username: "u1", TLSConfig: &tls.Config{RootCAs: pool}}, newTestHandler())
		if err := ua.Start(ctxT(t)); err != nil {
			t.Fatalf("Start: %v", err)
		}
		st := ua.RegState()
		if st.Expires != 120*time.Second || !strings.Contains(st.Contact, ".invalid") {
			t.Errorf("RegState = %+v", st)
		}
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := ua.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 2 { // REGISTER + un-REGISTER
			t.Errorf("registrar saw %d REGISTERs", n.Load())
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		ua := newTestUA(t, Config{Transport: "wss", Server: addr, WSPath: "/api/asterisk/ws",
			Domain: "wazo.example", Username: "u1", TLSConfig: &tls.Config{}}, nil)
		err := ua.Start(ctxT(t))
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("Start err = %v, want ErrUnreachable about the certificate", err)
		}
	})
}
