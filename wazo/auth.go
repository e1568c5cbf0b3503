package wazo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

const authPrefix = "/api/auth/0.1"

// Login creates a token with the user's credentials (docs/wazo-protocol.md, Authentication): Basic auth,
// body {backend:"wazo_user", expiration[, access_type:"offline",
// client_id]}. A wrong password gives an *APIError matching
// ErrAuthenticationFailed ("wrong username or password"). Unlike the SDK
// (docs/wazo-protocol.md, Calls API) a failed login is not retried.
func (c *Client) Login(ctx context.Context, username, password string) (Session, error) {
	body := map[string]any{"backend": "wazo_user", "expiration": c.expSecs}
	if c.clientID != "" {
		body["access_type"] = "offline"
		body["client_id"] = c.clientID
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: authPrefix + "/token", body: body,
		basic: &[2]string{username, password}})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			ae.kind = ErrAuthenticationFailed
			ae.Message = ""
		}
		return Session{}, err
	}
	s, err := parseSession(resp.body)
	if err != nil {
		return Session{}, err
	}
	c.install(s, true)
	return s, nil
}

// LoginWithRefreshToken signs in again with the refresh token of an
// earlier offline login (WithClientID), without the password: how the Wazo
// SDK keeps a user signed in across restarts (docs/wazo-protocol.md,
// Authentication). wazo-auth answers the refresh grant without a new
// refresh token, so the session keeps the one given. A revoked or expired
// token gives an error matching ErrSessionExpired.
func (c *Client) LoginWithRefreshToken(ctx context.Context, refreshToken string) (Session, error) {
	if refreshToken == "" || c.clientID == "" {
		return Session{}, ErrSessionExpired
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: authPrefix + "/token", body: map[string]any{
		"backend": "wazo_user", "expiration": c.expSecs, "refresh_token": refreshToken, "client_id": c.clientID,
	}})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusBadRequest) {
			ae.kind = ErrSessionExpired
			ae.Message = ""
		}
		return Session{}, err
	}
	s, err := parseSession(resp.body)
	if err != nil {
		return Session{}, err
	}
	if s.RefreshToken == "" {
		s.RefreshToken = refreshToken
	}
	c.install(s, true)
	return s, nil
}

// install stores a new session, re-arms the proactive refresh and tells
// the token listeners.
func (c *Client) install(s Session, login bool) {
	c.mu.Lock()
	if !login && c.sess != nil && s.RefreshToken == "" {
		s.RefreshToken = c.sess.RefreshToken // docs/wazo-protocol.md, Authentication: keep the old refresh token
	}
	cp := s
	c.sess = &cp
	if login {
		c.loginToken = s.Token
	}
	c.scheduleLocked()
	fns := make([]func(Session), 0, len(c.listeners))
	for _, fn := range c.listeners {
		fns = append(fns, fn)
	}
	c.mu.Unlock()
	for _, fn := range fns {
		fn(cp)
	}
}

// Refresh forces a token refresh with the refresh token (docs/wazo-protocol.md, Authentication).
func (c *Client) Refresh(ctx context.Context) error { return c.refresh(ctx, "") }

// refresh runs at most one refresh at a time: concurrent callers wait for
// the one in flight (the SDK's single in-flight refresh, docs/wazo-protocol.md, Authentication). If the
// token the caller used was already replaced, it returns at once so the
// caller just replays.
func (c *Client) refresh(ctx context.Context, used string) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.sess == nil {
		c.mu.Unlock()
		return ErrNotLoggedIn
	}
	if used != "" && c.sess.Token != used {
		c.mu.Unlock()
		return nil
	}
	rc := c.refreshing
	if rc == nil {
		rc = &refreshCall{done: make(chan struct{})}
		c.refreshing = rc
		rt := c.sess.RefreshToken
		c.wg.Add(1)
		go func() { // owned by the client; bounded by c.ctx and a timeout
			defer c.wg.Done()
			err := c.doRefresh(rt)
			c.mu.Lock()
			c.refreshing = nil
			c.mu.Unlock()
			rc.err = err
			close(rc.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-rc.done:
		return rc.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) doRefresh(refreshToken string) error {
	if refreshToken == "" || c.clientID == "" {
		return ErrSessionExpired
	}
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	// docs/wazo-protocol.md, Authentication / docs/wazo-protocol.md, Calls API: no Basic auth, same refresh token every time.
	resp, err := c.do(ctx, request{method: http.MethodPost, path: authPrefix + "/token", body: map[string]any{
		"backend": "wazo_user", "expiration": c.expSecs, "refresh_token": refreshToken, "client_id": c.clientID,
	}})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusBadRequest) {
			ae.kind = ErrSessionExpired
			ae.Message = ""
		}
		c.log.Warn("wazo: token refresh failed", "err", err)
		return err
	}
	s, err := parseSession(resp.body)
	if err != nil {
		return err
	}
	c.log.Debug("wazo: token refreshed", "expires", s.ExpiresAt)
	c.install(s, false)
	return nil
}

// scheduleLocked arms the proactive refresh: a fifth of the lifetime (at
// most one minute) before expiry, when a refresh token exists.
func (c *Client) scheduleLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if c.closed || c.sess == nil || c.sess.RefreshToken == "" || c.sess.ExpiresAt.IsZero() {
		return
	}
	life := c.sess.ExpiresAt.Sub(c.sess.IssuedAt)
	if c.sess.IssuedAt.IsZero() || life <= 0 {
		life = time.Until(c.sess.ExpiresAt)
	}
	margin := min(life/5, time.Minute)
	c.armLocked(max(time.Until(c.sess.ExpiresAt)-margin, 0))
}

// armLocked runs the proactive refresh of the current token after wait. A
// refresh that fails for a passing reason (the server unreachable or
// answering 5xx) is tried again soon, so one failure does not let the
// token expire under the event socket; only a refused refresh token
// (ErrSessionExpired) ends the retries, and then the user must sign in.
func (c *Client) armLocked(wait time.Duration) {
	token, expires := c.sess.Token, c.sess.ExpiresAt
	c.timer = time.AfterFunc(wait, func() {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		c.wg.Add(1)
		c.mu.Unlock()
		defer c.wg.Done()
		err := c.refresh(c.ctx, token)
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed) {
			return
		}
		if errors.Is(err, ErrSessionExpired) {
			c.log.Warn("wazo: the refresh token was refused; signing in again is needed", "err", err)
			return
		}
		// A quarter of what is left, between 0.5 s and 10 s.
		again := min(max(time.Until(expires)/4, 500*time.Millisecond), 10*time.Second)
		c.log.Warn("wazo: proactive token refresh failed; trying again", "err", err, "in", again)
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.closed && c.sess != nil && c.sess.Token == token {
			if c.timer != nil {
				c.timer.Stop()
			}
			c.armLocked(again)
		}
	})
}

// Logout ends the session like the SDK (docs/wazo-protocol.md, Event websocket), but revokes the token it
// actually holds too: DELETE users/me/tokens/{client_id} (drops the refresh
// token), then DELETE token/{T} for the current and the login token.
func (c *Client) Logout(ctx context.Context) error { return c.logout(ctx, true) }

// EndSession is Logout that keeps the refresh token valid: the access
// tokens are revoked, and a later LoginWithRefreshToken signs in again
// without the password (quitting without signing out).
func (c *Client) EndSession(ctx context.Context) error { return c.logout(ctx, false) }

func (c *Client) logout(ctx context.Context, revokeRefresh bool) error {
	s, ok := c.Session()
	if !ok {
		return nil
	}
	var errs []error
	if c.clientID != "" && revokeRefresh {
		if _, err := c.do(ctx, request{method: http.MethodDelete, path: authPrefix + "/users/me/tokens/" + url.PathEscape(c.clientID),
			token: s.Token}); err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnauthorized) {
			errs = append(errs, err)
		}
	}
	c.mu.Lock()
	login := c.loginToken
	c.sess = nil
	c.loginToken = ""
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	for _, t := range []string{s.Token, login} {
		if t == "" {
			continue
		}
		if _, err := c.do(ctx, request{method: http.MethodDelete, path: authPrefix + "/token/" + url.PathEscape(t)}); err != nil {
			errs = append(errs, err)
		}
		if login == s.Token {
			break
		}
	}
	return errors.Join(errs...)
}

// ValidateToken checks a stored token with GET /token/{t} (docs/wazo-protocol.md, Authentication, the SDK's
// session resume); a 404 "No such token" gives ErrSessionExpired.
func (c *Client) ValidateToken(ctx context.Context, tok string) (Session, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: authPrefix + "/token/" + url.PathEscape(tok)})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			ae.kind = ErrSessionExpired
		}
		return Session{}, err
	}
	return parseSession(resp.body)
}
