package httpside

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// maxBody bounds request bodies: the stand-in must not fall over on any
// input (project rule: no panics, bounded resources).
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// writeAuthError writes wazo-auth's error envelope (docs/wazo-protocol.md, Authentication):
// {"reason":[msg],"timestamp":[t],"status_code":code}.
func (s *Side) writeAuthError(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]any{
		"reason":      []string{reason},
		"timestamp":   []float64{epoch(s.now())},
		"status_code": status,
	})
}

// writeCalldError writes the xivo REST error envelope (docs/wazo-protocol.md, Calls API):
// {"message","error_id","details","timestamp"}.
func (s *Side) writeCalldError(w http.ResponseWriter, e *callmodel.CalldError) {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	writeJSON(w, e.Status, map[string]any{
		"message":   e.Message,
		"error_id":  e.ErrorID,
		"details":   details,
		"timestamp": epoch(s.now()),
	})
}

// readBody reads at most maxBody bytes. An empty body is fine: the SDK sends
// "Content-Type: application/json" with no body on GET/DELETE/PUT (docs/wazo-protocol.md, Calls API).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

// authenticate checks X-Auth-Token for a calld/confd route and the ACL it
// requires. On failure it returns the 401 "unauthorized" error of docs/wazo-protocol.md, Calls API
// with details {invalid_token, reason, required_access}.
func (s *Side) authenticate(r *http.Request, requiredACL string) (*token, *callmodel.CalldError) {
	id := r.Header.Get("X-Auth-Token")
	t, ok := s.tokens.lookup(id)
	if !ok {
		return nil, &callmodel.CalldError{Status: http.StatusUnauthorized, ErrorID: "unauthorized", Message: "Unauthorized", Details: map[string]any{
			"invalid_token": id, "reason": "not_found_or_expired", "required_access": requiredACL,
		}}
	}
	if !aclMatches(t.ACL, requiredACL, t.UserUUID) {
		// xivo http_exceptions.py MissingPermissionsTokenAPIException: the
		// tenant is the request's Wazo-Tenant, null without one.
		var tenant any
		if h := r.Header.Get("Wazo-Tenant"); h != "" {
			tenant = h
		}
		return nil, &callmodel.CalldError{Status: http.StatusUnauthorized, ErrorID: "unauthorized", Message: "Unauthorized", Details: map[string]any{
			"invalid_token": id, "reason": "missing_permission_or_invalid_tenant", "required_access": requiredACL, "tenant_uuid": tenant,
		}}
	}
	return t, nil
}
