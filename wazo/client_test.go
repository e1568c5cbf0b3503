package wazo

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

func TestLoginAndLine(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	s, err := c.Login(ctx(t), "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if s.UserUUID != aliceUUID || s.Token == "" || s.RefreshToken == "" || s.SessionUUID == "" || s.TenantUUID == "" {
		t.Fatalf("session %+v", s)
	}
	if time.Until(s.ExpiresAt) < 30*time.Minute || len(s.ACL) == 0 {
		t.Fatalf("expiry %v acl %v", s.ExpiresAt, s.ACL)
	}
	u, err := c.User(ctx(t))
	if err != nil || u.DisplayName() != "Alice Agent" || len(u.Lines) != 3 {
		t.Fatalf("user %+v %v", u, err)
	}
	if i, err := c.Infos(ctx(t)); err != nil || i.WazoVersion == "" {
		t.Fatalf("infos %+v %v", i, err)
	}
	line, err := c.WebRTCLine(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if line.Username != "alice-webrtc" || line.Password != "linepw" || line.LineID != u.Lines[2].ID ||
		len(line.Extensions) != 1 || line.Extensions[0].Exten != "1001" {
		t.Fatalf("line %+v", line)
	}
}

func TestLoginWrongPassword(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	_, err := c.Login(ctx(t), "alice", "nope")
	if !errors.Is(err, ErrAuthenticationFailed) {
		t.Fatalf("err = %v", err)
	}
	if err.Error() != "wrong username or password" {
		t.Fatalf("message %q", err.Error())
	}
	if st := e.stack.Stats(); st.FailedLogins != 1 || st.Refreshes != 0 {
		t.Fatalf("a failed login must be sent once and not refreshed: %+v", st)
	}
	if _, err := c.Calls(ctx(t)); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("calls without login: %v", err)
	}
}

func TestNoWebRTCLine(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	if _, err := c.Login(ctx(t), "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err := c.WebRTCLine(ctx(t))
	if !errors.Is(err, ErrNoWebRTCLine) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "no WebRTC line") {
		t.Fatalf("message %q", err)
	}
}

func TestServerUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := NewClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Login(ctx(t), "alice", "secret")
	want := "cannot reach the Wazo server at https://" + addr + ": connection refused"
	if !errors.Is(err, ErrUnreachable) || err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
}

func TestPinnedCertificateMismatch(t *testing.T) {
	e := newEnv(t, nil)
	c, err := NewClient(e.srv.URL, WithPinnedCertificate([32]byte{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, pinErr := c.Login(ctx(t), "alice", "secret")
	if !errors.Is(pinErr, ErrCertificateMismatch) || !errors.Is(pinErr, ErrUnreachable) {
		t.Fatalf("err = %v", pinErr)
	}
	// Without a pin the self-signed certificate is refused too.
	c2, _ := NewClient(e.srv.URL)
	defer c2.Close()
	_, err = c2.Login(ctx(t), "alice", "secret")
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, ErrUntrustedCertificate) || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("unpinned: %v", err)
	}
	// Both failures name the certificate the server presented, so a person
	// can compare it and pin it.
	want := sha256.Sum256(e.srv.Certificate().Raw)
	for name, err := range map[string]error{"unpinned": err, "wrong pin": pinErr} {
		var ce *CertificateError
		if !errors.As(err, &ce) || ce.SHA256 != want {
			t.Errorf("%s: %v does not carry the server's fingerprint %s", name, err, FormatFingerprint(want))
		}
	}
}

func TestRefreshOn401Replays(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	var changed atomic.Int32
	c.OnTokenChanged(func(Session) { changed.Add(1) })
	old, _ := c.Session()
	e.stack.ExpireToken(old.Token) // the next calld call gets 401
	if _, err := c.Calls(ctx(t)); err != nil {
		t.Fatal(err)
	}
	now, _ := c.Session()
	if now.Token == old.Token || now.RefreshToken != old.RefreshToken {
		t.Fatalf("token not refreshed: %+v", now)
	}
	if st := e.stack.Stats(); st.Refreshes != 1 || st.PasswordLogins != 1 {
		t.Fatalf("stats %+v", st)
	}
	if changed.Load() != 1 {
		t.Fatalf("token listener called %d times", changed.Load())
	}
}

// TestRefreshOnNoSuchToken: a 404 whose reason[0] is "No such token" is
// treated like a 401 (docs/wazo-protocol.md, Authentication).
func TestRefreshOnNoSuchToken(t *testing.T) {
	var fired atomic.Bool
	var seen []string
	var mu sync.Mutex
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			if strings.HasPrefix(r.URL.Path, "/api/calld/") && fired.CompareAndSwap(false, true) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(404)
				json.NewEncoder(w).Encode(map[string]any{"reason": []string{"No such token"}, "timestamp": []float64{1}, "status_code": 404})
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, wrap)
	c := e.login()
	if _, err := c.Calls(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if st := e.stack.Stats(); st.Refreshes != 1 {
		t.Fatalf("stats %+v, requests %v", st, seen)
	}
	// A plain 404 is not a token problem.
	if err := c.Hangup(ctx(t), "9.9"); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("hangup: %v", err)
	}
	if st := e.stack.Stats(); st.Refreshes != 1 {
		t.Fatalf("a no-such-call 404 must not refresh: %+v", st)
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	s, _ := c.Session()
	e.stack.ExpireToken(s.Token)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Calls(ctx(t))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := e.stack.Stats(); st.Refreshes != 1 || st.PasswordLogins != 1 {
		t.Fatalf("want exactly one refresh, stats %+v", st)
	}
}

func TestProactiveRefreshBeforeExpiry(t *testing.T) {
	e := newEnv(t, nil, wazostandin.WithTokenLifetime(1500*time.Millisecond))
	c := e.login()
	first, _ := c.Session()
	var changed atomic.Int32
	c.OnTokenChanged(func(Session) { changed.Add(1) })
	waitFor(t, "proactive refresh", func() bool { return changed.Load() >= 1 })
	now, _ := c.Session()
	if now.Token == first.Token {
		t.Fatal("token unchanged")
	}
	if _, err := c.Calls(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil { // stops the timer and waits for the refresh goroutine
		t.Fatal(err)
	}
	if err := c.Refresh(ctx(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("refresh after Close: %v", err)
	}
}

func TestRefreshFailureIsPlain(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(WithClientID("")) // no refresh token
	if _, err := c.Login(ctx(t), "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Session()
	e.stack.ExpireToken(s.Token)
	_, err := c.Calls(ctx(t))
	if !errors.Is(err, ErrSessionExpired) || err.Error() != ErrSessionExpired.Error() {
		t.Fatalf("err = %v", err)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	s, _ := c.Session()
	if err := c.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.stack.ValidToken(s.Token); ok {
		t.Fatal("token still valid after logout")
	}
	if e.stack.Stats().Revocations != 1 {
		t.Fatalf("stats %+v", e.stack.Stats())
	}
	// The refresh token was dropped: a new client cannot use it.
	c2 := e.client()
	c2.SetSession(s)
	if err := c2.Refresh(ctx(t)); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("refresh after logout: %v", err)
	}
}
