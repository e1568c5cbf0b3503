package wazo

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

const (
	aliceUUID = "aaaaaaaa-0000-4000-8000-000000000001"
	bobUUID   = "bbbbbbbb-0000-4000-8000-000000000002"
)

type env struct {
	t     *testing.T
	stack *wazostandin.Stack
	srv   *httptest.Server
	pin   [32]byte
}

// newEnv serves the stack over real HTTPS (httptest TLS server with the
// stack's self-signed certificate); clients trust it by pinning.
func newEnv(t *testing.T, wrap func(http.Handler) http.Handler, opts ...wazostandin.Option) *env {
	t.Helper()
	st := wazostandin.New(opts...)
	if _, err := st.AddUser(wazostandin.User{UUID: aliceUUID, Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Agent",
		Lines: []wazostandin.Line{
			{Protocol: wazostandin.LineSCCP},
			{Username: "alice-desk", Password: "deskpw"}, // SIP, not WebRTC
			{WebRTC: true, Username: "alice-webrtc", Password: "linepw", Extensions: []wazostandin.Extension{{Exten: "1001"}}},
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUser(wazostandin.User{UUID: bobUUID, Username: "bob", Password: "pw",
		Lines: []wazostandin.Line{{Protocol: wazostandin.LineCustom}, {Username: "bob-desk", Password: "x"}}}); err != nil {
		t.Fatal(err)
	}
	cert, err := st.TLSCertificate()
	if err != nil {
		t.Fatal(err)
	}
	h := st.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // pin-mismatch tests cause handshake errors
	srv.StartTLS()
	t.Cleanup(func() {
		st.Close()
		srv.Close()
	})
	return &env{t: t, stack: st, srv: srv, pin: sha256.Sum256(cert.Leaf.Raw)}
}

func (e *env) client(opts ...Option) *Client {
	e.t.Helper()
	all := append([]Option{WithPinnedCertificate(e.pin), WithClientID("parley"), WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	c, err := NewClient(e.srv.URL, all...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

func (e *env) login(opts ...Option) *Client {
	e.t.Helper()
	c := e.client(opts...)
	if _, err := c.Login(ctx(e.t), "alice", "secret"); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// waitFor polls cond with a generous timeout (no timing assertions).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// events collects websocket events.
type events struct {
	mu  sync.Mutex
	evs []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
}

func (e *events) find(pred func(Event) bool) (Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.evs {
		if pred(ev) {
			return ev, true
		}
	}
	return Event{}, false
}

func (e *events) names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		out = append(out, ev.Name)
	}
	return out
}
