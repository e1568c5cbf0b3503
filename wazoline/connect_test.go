package wazoline

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// TestConnectErrors checks that every way Connect can fail before SIP reads
// as a plain sentence (no Go internals, no stack trace) and matches the
// right sentinels.
func TestConnectErrors(t *testing.T) {
	e := newEnv(t)
	// A port nothing listens on: bind, note, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close()
	var wrongPin [32]byte
	wrongPin[0] = 1

	tests := []struct {
		name     string
		server   string
		user     string
		password string
		opts     []Option
		is       []error
		says     string
	}{
		{"wrong password", e.url, "alice", "nope", []Option{WithPinnedCertificate(e.pin)},
			[]error{ErrLogin, wazo.ErrAuthenticationFailed}, "wrong username or password"},
		{"unknown user", e.url, "mallory", "x", []Option{WithPinnedCertificate(e.pin)},
			[]error{ErrLogin, wazo.ErrAuthenticationFailed}, "wrong username or password"},
		{"no WebRTC line", e.url, "bob", "pw", []Option{WithPinnedCertificate(e.pin)},
			[]error{ErrNoLine, wazo.ErrNoWebRTCLine}, "no WebRTC line"},
		{"server unreachable", "https://" + deadAddr, "alice", "secret", []Option{WithPinnedCertificate(e.pin)},
			[]error{ErrLogin, wazo.ErrUnreachable}, "cannot reach the Wazo server"},
		{"certificate mismatch", e.url, "alice", "secret", []Option{WithPinnedCertificate(wrongPin)},
			[]error{ErrLogin, wazo.ErrCertificateMismatch}, "does not match the pinned certificate"},
		{"self-signed without a pin", e.url, "alice", "secret", nil,
			[]error{ErrLogin, wazo.ErrUnreachable}, "certificate is not trusted"},
		{"bad address", "ftp://x", "alice", "secret", nil,
			[]error{ErrLogin}, "is not a Wazo server address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Connect(testCtx(t), tc.server, tc.user, tc.password, append(tc.opts, WithLogger(testLogger()))...)
			if err == nil {
				l.Close(testCtx(t))
				t.Fatal("Connect succeeded")
			}
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("error %q does not match %q", err, want)
				}
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.says) {
				t.Errorf("error %q does not say %q", msg, tc.says)
			}
			if strings.ContainsAny(msg, "\n\t") || strings.Contains(msg, "goroutine") || strings.Contains(msg, ".go:") {
				t.Errorf("error is not a plain sentence: %q", msg)
			}
		})
	}
	if st := e.stack.Stats(); st.FailedLogins < 2 {
		t.Errorf("stack saw %d failed logins, want ≥ 2", st.FailedLogins)
	}
}

// TestConnectLogsOutOnLineError: a session created by a Connect that then
// fails (no WebRTC line) is revoked, not left behind.
func TestConnectLogsOutOnLineError(t *testing.T) {
	e := newEnv(t)
	before := e.stack.Stats().Revocations
	_, err := Connect(testCtx(t), e.url, "bob", "pw", WithPinnedCertificate(e.pin))
	if !errors.Is(err, wazo.ErrNoWebRTCLine) {
		t.Fatalf("err = %v", err)
	}
	if after := e.stack.Stats().Revocations; after <= before {
		t.Errorf("no token revoked after a failed connect (%d → %d)", before, after)
	}
}

// TestAccount checks the SIP account built from a login (docs/wazo-protocol.md, Lines and registration).
func TestAccount(t *testing.T) {
	tlsCfg := sipTLS(config{pin: &[32]byte{1}})
	tests := []struct {
		base       string
		server     string
		domain     string
		wantTLSNil bool
	}{
		{"https://wazo.example.com", "wazo.example.com:443", "wazo.example.com", false},
		{"https://127.0.0.1:8443", "127.0.0.1:8443", "127.0.0.1", false},
		{"https://[::1]:8443", "[::1]:8443", "::1", false},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			a, err := account(tc.base, wazo.WebRTCLine{Username: "u1", Password: "p1", DisplayName: "Alice Agent"}, tlsCfg)
			if err != nil {
				t.Fatal(err)
			}
			want := phone.Account{Transport: "wss", Server: tc.server, WSPath: "/api/asterisk/ws", Domain: tc.domain,
				Username: "u1", Password: "p1", DisplayName: "Alice Agent", TLS: tlsCfg}
			if a != want {
				t.Fatalf("got %+v\nwant %+v", a, want)
			}
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSIPTLS: the SIP transport trusts what the REST client trusts.
func TestSIPTLS(t *testing.T) {
	e := newEnv(t)
	if sipTLS(config{}) != nil {
		t.Error("no pin and no TLS config should mean the system roots (nil)")
	}
	base := &tls.Config{ServerName: "wazo.example.com"}
	if got := sipTLS(config{tlsConfig: base}); got == base || got.ServerName != "wazo.example.com" {
		t.Error("the TLS config must be cloned, not shared")
	}
	host := strings.TrimPrefix(e.url, "https://")
	var wrong [32]byte
	for _, tc := range []struct {
		name string
		pin  [32]byte
		ok   bool
	}{{"right pin", e.pin, true}, {"wrong pin", wrong, false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sipTLS(config{pin: &tc.pin})
			conn, err := tls.Dial("tcp", host, cfg)
			if conn != nil {
				conn.Close()
			}
			if tc.ok && err != nil {
				t.Fatalf("handshake failed: %v", err)
			}
			if !tc.ok && !errors.Is(err, wazo.ErrCertificateMismatch) {
				t.Fatalf("err = %v, want a certificate mismatch", err)
			}
		})
	}
}
