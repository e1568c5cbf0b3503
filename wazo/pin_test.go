package wazo

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
)

// pinServer is a TLS listener with a self-signed certificate that writes
// "ok" on every connection (reading it lets the client take the TLS 1.3
// session ticket that arrives after the handshake).
func pinServer(t *testing.T) (addr string, pin [sha256.Size]byte) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil) // only for its self-signed certificate
	srv.StartTLS()
	cert := srv.TLS.Certificates[0]
	srv.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				_, _ = c.Write([]byte("ok"))
				_, _ = io.Copy(io.Discard, c)
			}(c)
		}
	}()
	return ln.Addr().String(), sha256.Sum256(cert.Certificate[0])
}

// dialPinned connects with cfg, reads the server's greeting (and with it
// the session ticket) and reports whether the session was resumed.
func dialPinned(addr string, cfg *tls.Config) (resumed bool, err error) {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if _, err := io.ReadFull(c, make([]byte, 2)); err != nil {
		return false, err
	}
	return c.ConnectionState().DidResume, nil
}

func TestPinnedTLS(t *testing.T) {
	addr, pin := pinServer(t)
	var wrong [sha256.Size]byte
	tests := []struct {
		name string
		pin  [sha256.Size]byte
		ok   bool
	}{{"the right pin", pin, true}, {"a wrong pin", wrong, false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dialPinned(addr, PinnedTLS(nil, tt.pin))
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, ErrCertificateMismatch)) {
				t.Fatalf("err = %v, want ok=%v or a certificate mismatch", err, tt.ok)
			}
		})
	}
}

// A session resumed from a shared cache must be checked against the pin
// again: a pin that no longer matches fails even on resumption.
func TestPinnedTLSChecksResumedSessions(t *testing.T) {
	addr, pin := pinServer(t)
	base := &tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(4), ServerName: "example.com"}
	if _, err := dialPinned(addr, PinnedTLS(base, pin)); err != nil {
		t.Fatal(err)
	}
	// The setup really resumes sessions, or the next check proves nothing.
	resumed, err := dialPinned(addr, PinnedTLS(base, pin))
	if err != nil || !resumed {
		t.Fatalf("second connection: resumed=%v err=%v; the test needs session resumption", resumed, err)
	}
	var wrong [sha256.Size]byte
	if _, err := dialPinned(addr, PinnedTLS(base, wrong)); !errors.Is(err, ErrCertificateMismatch) {
		t.Fatalf("a resumed session with a wrong pin: err = %v, want a certificate mismatch", err)
	}
}

// The base config is copied, never changed.
func TestPinnedTLSClonesBase(t *testing.T) {
	base := &tls.Config{ServerName: "wazo.example.com"}
	got := PinnedTLS(base, [sha256.Size]byte{})
	if got == base || base.InsecureSkipVerify || base.VerifyConnection != nil || got.ServerName != "wazo.example.com" {
		t.Error("PinnedTLS changed its base or lost its settings")
	}
}

func TestFormatFingerprint(t *testing.T) {
	var sum [sha256.Size]byte
	sum[0], sum[1], sum[31] = 0xab, 0x05, 0xff
	got := FormatFingerprint(sum)
	if !strings.HasPrefix(got, "AB:05:00:") || !strings.HasSuffix(got, ":00:FF") || len(got) != 95 {
		t.Fatalf("FormatFingerprint = %q", got)
	}
}
