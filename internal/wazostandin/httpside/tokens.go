package httpside

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// token is a wazo-auth token (docs/wazo-protocol.md, Authentication, AUTH token.py).
type token struct {
	ID          string
	UserUUID    string
	TenantUUID  string
	SessionUUID string
	IssuedAt    time.Time
	ExpiresAt   time.Time
	ACL         []string
	RemoteAddr  string
	UserAgent   string
	revoked     bool
}

type refreshEntry struct {
	Token    string
	UserUUID string
	ClientID string
}

// Stats counts wazo-auth activity so tests can assert e.g. that concurrent
// callers shared one refresh.
type Stats struct {
	PasswordLogins  int // successful POST /token with Basic auth
	FailedLogins    int // 401 on POST /token with Basic auth
	Refreshes       int // successful POST /token with refresh_token
	FailedRefreshes int // 401 on POST /token with refresh_token
	Revocations     int // DELETE /token/{token}
	StatusChecks    int // HEAD /status
}

// tokenStore holds tokens and refresh tokens (one refresh token per
// (user, client_id), docs/wazo-protocol.md, Authentication access_type offline).
type tokenStore struct {
	now     func() time.Time
	mu      sync.Mutex
	tokens  map[string]*token
	refresh map[string]*refreshEntry // by refresh token value
	stats   Stats
}

func newTokenStore(now func() time.Time) *tokenStore {
	return &tokenStore{now: now, tokens: map[string]*token{}, refresh: map[string]*refreshEntry{}}
}

func (ts *tokenStore) issue(u *directory.User, lifetime time.Duration, remote, agent string) *token {
	now := ts.now()
	t := &token{
		ID:          uuid.NewString(),
		UserUUID:    u.UUID,
		TenantUUID:  u.TenantUUID,
		SessionUUID: uuid.NewString(),
		IssuedAt:    now,
		ExpiresAt:   now.Add(lifetime),
		ACL:         append([]string(nil), u.ACL...),
		RemoteAddr:  remote,
		UserAgent:   agent,
	}
	ts.mu.Lock()
	ts.tokens[t.ID] = t
	ts.mu.Unlock()
	return t
}

// newRefreshToken replaces the (user, client) refresh token.
func (ts *tokenStore) newRefreshToken(userUUID, clientID string) string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for k, e := range ts.refresh {
		if e.UserUUID == userUUID && e.ClientID == clientID {
			delete(ts.refresh, k)
		}
	}
	r := uuid.NewString()
	ts.refresh[r] = &refreshEntry{Token: r, UserUUID: userUUID, ClientID: clientID}
	return r
}

func (ts *tokenStore) useRefreshToken(r, clientID string) (string, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	e, ok := ts.refresh[r]
	if !ok || e.ClientID != clientID {
		return "", false
	}
	return e.UserUUID, true
}

func (ts *tokenStore) deleteRefreshToken(userUUID, clientID string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	found := false
	for k, e := range ts.refresh {
		if e.UserUUID == userUUID && e.ClientID == clientID {
			delete(ts.refresh, k)
			found = true
		}
	}
	return found
}

// lookup returns a copy of a valid (known, unexpired, unrevoked) token.
func (ts *tokenStore) lookup(id string) (*token, bool) {
	if id == "" {
		return nil, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[id]
	if !ok || t.revoked || !ts.now().Before(t.ExpiresAt) {
		return nil, false
	}
	c := *t
	c.ACL = append([]string(nil), t.ACL...)
	return &c, true
}

func (ts *tokenStore) revoke(id string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[id]
	if !ok {
		return false
	}
	t.revoked = true
	delete(ts.tokens, id)
	return true
}

func (ts *tokenStore) expire(id string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[id]
	if !ok {
		return false
	}
	t.ExpiresAt = ts.now().Add(-time.Second)
	return true
}

func (ts *tokenStore) count(f func(*Stats)) {
	ts.mu.Lock()
	f(&ts.stats)
	ts.mu.Unlock()
}

// Stats returns wazo-auth counters.
func (s *Side) Stats() Stats {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	return s.tokens.stats
}

// ExpireToken makes a token expired now (as if its lifetime had passed):
// REST calls with it get 401, GET /token/{t} gets 404 "No such token", and
// websockets using it are closed with 4003 (docs/wazo-protocol.md, Event websocket). Reports whether the
// token was known.
func (s *Side) ExpireToken(id string) bool {
	ok := s.tokens.expire(id)
	s.ws.recheckTokens()
	return ok
}

// RevokeToken deletes a token (like DELETE /token/{t}) and closes the
// websockets using it with 4003.
func (s *Side) RevokeToken(id string) bool {
	ok := s.tokens.revoke(id)
	s.ws.recheckTokens()
	return ok
}

// ValidToken reports whether a token is currently valid and returns its
// user uuid.
func (s *Side) ValidToken(id string) (userUUID string, ok bool) {
	t, ok := s.tokens.lookup(id)
	if !ok {
		return "", false
	}
	return t.UserUUID, true
}
