package httpside

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// Time formats of wazo-auth token.py to_dict (docs/wazo-protocol.md, Authentication).
const authTimeFormat = "2006-01-02T15:04:05.000000"

// defaultTokenLifetime is wazo-auth's default_token_lifetime (docs/wazo-protocol.md, Authentication).
const defaultTokenLifetime = 7200 * time.Second

// createTokenRequest is the POST /token body (docs/wazo-protocol.md, Authentication, AUTH schemas.py).
type createTokenRequest struct {
	Backend      *string          `json:"backend"`
	Expiration   *json.RawMessage `json:"expiration"`
	AccessType   *string          `json:"access_type"`
	ClientID     *string          `json:"client_id"`
	RefreshToken *string          `json:"refresh_token"`
	DomainName   *string          `json:"domain_name"`
	TenantID     *string          `json:"tenant_id"`
}

func strOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// handleCreateToken: POST /api/auth/0.1/token (docs/wazo-protocol.md, Authentication).
func (s *Side) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	raw, err := readBody(r)
	if err != nil {
		s.writeAuthError(w, http.StatusBadRequest, "Invalid request body")
		return
	}
	// The server does get_json(force=True): the body must be a JSON object
	// whatever the Content-Type says.
	var req createTokenRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		s.writeAuthError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	lifetime := defaultTokenLifetime
	if req.Expiration != nil {
		n, err := strconv.ParseInt(strings.TrimSpace(string(*req.Expiration)), 10, 64)
		if err != nil || n < 1 || n > 315360000 {
			s.writeAuthError(w, http.StatusBadRequest, "expiration: Must be greater than or equal to 1 and less than or equal to 315360000.")
			return
		}
		lifetime = time.Duration(n) * time.Second
	}
	if s.cfg.TokenLifetime > 0 {
		lifetime = s.cfg.TokenLifetime
	}
	accessType := strOr(req.AccessType, "online")
	if accessType != "online" && accessType != "offline" {
		s.writeAuthError(w, http.StatusBadRequest, "access_type: Must be one of: online, offline.")
		return
	}
	clientID := strOr(req.ClientID, "")
	if req.ClientID != nil && (len(clientID) < 1 || len(clientID) > 1024) {
		s.writeAuthError(w, http.StatusBadRequest, "client_id: Length must be between 1 and 1024.")
		return
	}
	if accessType == "offline" && clientID == "" {
		s.writeAuthError(w, http.StatusBadRequest, "_schema: the client_id field is required when using offline access_type")
		return
	}
	if req.DomainName != nil && req.TenantID != nil {
		s.writeAuthError(w, http.StatusBadRequest, "_schema: domain_name and tenant_id are mutually exclusive")
		return
	}

	username, password, hasBasic := r.BasicAuth()
	var user *directory.User
	refreshing := false
	switch {
	case hasBasic:
		if b := strOr(req.Backend, "wazo_user"); b != "wazo_user" {
			s.tokens.count(func(st *Stats) { st.FailedLogins++ })
			s.writeAuthError(w, http.StatusUnauthorized, "Authentication Failed")
			return
		}
		u, ok := s.users.ByUsername(username)
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
			s.tokens.count(func(st *Stats) { st.FailedLogins++ })
			s.writeAuthError(w, http.StatusUnauthorized, "Authentication Failed")
			return
		}
		user = &u
	case req.RefreshToken != nil:
		// docs/wazo-protocol.md, Authentication: refresh without Basic auth; client_id is mandatory.
		if clientID == "" {
			s.writeAuthError(w, http.StatusBadRequest, "_schema: the client_id field is required when using a refresh_token")
			return
		}
		userUUID, ok := s.tokens.useRefreshToken(*req.RefreshToken, clientID)
		var u directory.User
		if ok {
			u, ok = s.users.User(userUUID)
		}
		if !ok {
			s.tokens.count(func(st *Stats) { st.FailedRefreshes++ })
			s.writeAuthError(w, http.StatusUnauthorized, "Authentication Failed")
			return
		}
		user = &u
		refreshing = true
		accessType = "online" // a refresh never returns a new refresh token
	default:
		s.tokens.count(func(st *Stats) { st.FailedLogins++ })
		s.writeAuthError(w, http.StatusUnauthorized, "Authentication Failed")
		return
	}

	snapshot := *user // the directory hands out copies
	t := s.tokens.issue(&snapshot, lifetime, remoteIP(r), r.UserAgent())
	body := s.tokenJSON(t)
	if accessType == "offline" {
		body["refresh_token"] = s.tokens.newRefreshToken(snapshot.UUID, clientID)
	}
	if refreshing {
		s.tokens.count(func(st *Stats) { st.Refreshes++ })
	} else {
		s.tokens.count(func(st *Stats) { st.PasswordLogins++ })
	}
	w.Header().Set("Wazo-Sessions-Revoked", "0")
	writeJSON(w, http.StatusOK, map[string]any{"data": body})
}

// tokenJSON renders a Token as AUTH token.py to_dict does (docs/wazo-protocol.md, Authentication).
func (s *Side) tokenJSON(t *token) map[string]any {
	return map[string]any{
		"token":          t.ID,
		"auth_id":        t.UserUUID,
		"xivo_user_uuid": t.UserUUID,
		"xivo_uuid":      s.cfg.StackUUID,
		"issued_at":      t.IssuedAt.Local().Format(authTimeFormat),
		"expires_at":     t.ExpiresAt.Local().Format(authTimeFormat),
		"utc_issued_at":  t.IssuedAt.UTC().Format(authTimeFormat),
		"utc_expires_at": t.ExpiresAt.UTC().Format(authTimeFormat),
		"acl":            t.ACL,
		"session_uuid":   t.SessionUUID,
		"remote_addr":    t.RemoteAddr,
		"user_agent":     t.UserAgent,
		"metadata": map[string]any{
			"uuid":          t.UserUUID,
			"tenant_uuid":   t.TenantUUID,
			"auth_id":       t.UserUUID,
			"pbx_user_uuid": t.UserUUID,
			"xivo_uuid":     s.cfg.StackUUID,
			"purpose":       "user",
		},
	}
}

// handleToken: GET|HEAD|DELETE /api/auth/0.1/token/{token} (docs/wazo-protocol.md, Authentication).
func (s *Side) handleToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("token")
	switch r.Method {
	case http.MethodDelete:
		if s.tokens.revoke(id) {
			s.tokens.count(func(st *Stats) { st.Revocations++ })
			s.ws.recheckTokens()
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"message": "success"}})
		return
	case http.MethodGet, http.MethodHead:
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	t, ok := s.tokens.lookup(id)
	if !ok {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		s.writeAuthError(w, http.StatusNotFound, "No such token")
		return
	}
	if scope := r.URL.Query().Get("scope"); scope != "" && !aclMatches(t.ACL, scope, t.UserUUID) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		s.writeAuthError(w, http.StatusForbidden, "Unauthorized scope")
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": s.tokenJSON(t)})
}

// handleDeleteRefreshToken: DELETE /api/auth/0.1/users/me/tokens/{client_id}
// (docs/wazo-protocol.md, Authentication): drops the (user, client_id) refresh token, 204.
func (s *Side) handleDeleteRefreshToken(w http.ResponseWriter, r *http.Request) {
	t, ok := s.tokens.lookup(r.Header.Get("X-Auth-Token"))
	if !ok {
		s.writeAuthError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if !s.tokens.deleteRefreshToken(t.UserUUID, r.PathValue("client_id")) {
		s.writeAuthError(w, http.StatusNotFound, "No such refresh token")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleStatus: HEAD /api/auth/0.1/status. The SDK probes it with only
// X-User-UUID (docs/wazo-protocol.md, Calls API); a real stack answers 401, which we copy.
func (s *Side) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.tokens.count(func(st *Stats) { st.StatusChecks++ })
	if _, ok := s.tokens.lookup(r.Header.Get("X-Auth-Token")); ok {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.writeAuthError(w, http.StatusUnauthorized, "Unauthorized")
}

// remoteIP is the client's address without its port: wazo-auth stores
// Flask's request.remote_addr, which is an IP only (wazo-auth
// plugins/http/tokens/http.py).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
