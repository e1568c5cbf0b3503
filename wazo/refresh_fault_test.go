package wazo

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// failRefreshes answers the first n refresh-token POST /token with 503, as
// a wazo-auth that is restarting would; everything else goes through.
func failRefreshes(n int32, failed *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == authPrefix+"/token" {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if bytes.Contains(body, []byte(`"refresh_token"`)) && failed.Load() < n {
					failed.Add(1)
					http.Error(w, `{"reason":["service unavailable"],"status_code":503}`, http.StatusServiceUnavailable)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestRefreshFailsOnceThenRecovers: the proactive refresh before expiry
// fails once (wazo-auth unavailable). The client tries again before the
// token runs out, so the event socket never sees its token expire (no
// 4003, no reconnect) and REST calls keep working; nobody is asked to sign
// in.
func TestRefreshFailsOnceThenRecovers(t *testing.T) {
	var failed atomic.Int32
	e := newEnv(t, failRefreshes(1, &failed))
	c := e.login(WithExpiration(6 * time.Second))
	first, _ := c.Session()
	var drops atomic.Int32
	var started atomic.Int32
	s := c.NewEventSocket(EventSocketConfig{OnState: func(st SocketState) {
		switch st {
		case SocketStarted:
			started.Add(1)
		case SocketDisconnected:
			drops.Add(1)
		}
	}})
	s.Start()
	t.Cleanup(func() { _ = s.Close() })
	waitFor(t, "the socket started", func() bool { return started.Load() == 1 })
	waitFor(t, "the failed refresh", func() bool { return failed.Load() == 1 })
	waitFor(t, "a new token", func() bool { cur, _ := c.Session(); return cur.Token != first.Token })
	cur, _ := c.Session()
	if !cur.ExpiresAt.After(first.ExpiresAt) {
		t.Fatalf("new token expires %v, not after the first (%v)", cur.ExpiresAt, first.ExpiresAt)
	}
	// Past the first token's expiry: the socket is still the first one.
	for time.Now().Before(first.ExpiresAt.Add(time.Second)) {
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.Calls(ctx(t)); err != nil {
		t.Fatalf("REST after the recovered refresh: %v", err)
	}
	if d := drops.Load(); d != 0 {
		t.Errorf("the event socket dropped %d times across the failed refresh", d)
	}
}

// TestRefreshTokenRefusedAsksToSignIn: only a refused refresh token ends
// the session with ErrSessionExpired (what makes the front end ask for the
// password).
func TestRefreshTokenRefusedAsksToSignIn(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	s, _ := c.Session()
	if !e.stack.RevokeToken(s.Token) {
		t.Fatal("unknown token")
	}
	// Revoking the access token leaves the refresh token: refresh works.
	if err := c.Refresh(ctx(t)); err != nil {
		t.Fatalf("refresh with a valid refresh token: %v", err)
	}
	// A wrong refresh token is refused: that and only that is ErrSessionExpired.
	c.mu.Lock()
	c.sess.RefreshToken = "no-such-refresh-token"
	c.mu.Unlock()
	if err := c.Refresh(ctx(t)); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("refresh with a refused refresh token = %v, want ErrSessionExpired", err)
	}
}
