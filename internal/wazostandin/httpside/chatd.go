package httpside

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/parley-voip/parley/internal/wazostandin/presence"
)

// chatdPrefix is wazo-chatd behind nginx (docs/wazo-protocol.md, wazo-chatd).
const chatdPrefix = "/api/chatd/1.0"

// chatdRoutes serves the presences of wazo-chatd plugins/presences
// (api.yml, http.py): the list, and one user's presence read and update.
func (s *Side) chatdRoutes(mux *http.ServeMux) {
	if s.cfg.Presence == nil {
		return
	}
	mux.HandleFunc("GET "+chatdPrefix+"/users/presences", s.listPresences)
	mux.HandleFunc("GET "+chatdPrefix+"/users/{uuid}/presences", s.getPresence)
	mux.HandleFunc("PUT "+chatdPrefix+"/users/{uuid}/presences", s.putPresence)
}

// writeChatdError writes xivo's APIException envelope as chatd raises it
// (wazo-chatd exceptions.py: message, error_id, details, resource).
func (s *Side) writeChatdError(w http.ResponseWriter, status int, errorID, msg string, details map[string]any, resource string) {
	if details == nil {
		details = map[string]any{}
	}
	body := map[string]any{"message": msg, "error_id": errorID, "details": details, "timestamp": epoch(s.now())}
	if resource != "" {
		body["resource"] = resource
	}
	writeJSON(w, status, body)
}

// hasSession reports whether the user holds a live wazo-auth token: the
// stand-in's sessions (chatd's "connected", schemas.py _set_connected).
func (s *Side) hasSession(userUUID string) bool {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.now()
	for _, t := range ts.tokens {
		if t.UserUUID == userUUID && !t.revoked && now.Before(t.ExpiresAt) {
			return true
		}
	}
	return false
}

// HasSession is hasSession for the stack's wiring.
func (s *Side) HasSession(userUUID string) bool { return s.hasSession(userUUID) }

// listPresences: GET /users/presences, ACL chatd.users.presences.read;
// ?user_uuid=a,b filters; the list is the token's tenant (recurse is not
// modelled: one tenant level). Answer {items, filtered, total} (http.py
// PresenceListResource).
func (s *Side) listPresences(w http.ResponseWriter, r *http.Request) {
	t, cerr := s.authenticate(r, "chatd.users.presences.read")
	if cerr != nil {
		s.writeCalldError(w, cerr)
		return
	}
	var uuids []string
	if q := r.URL.Query().Get("user_uuid"); q != "" {
		for _, id := range strings.Split(q, ",") {
			if _, err := uuid.Parse(id); err != nil {
				// xivo mallow List(UUID) validation error.
				s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid",
					map[string]any{"user_uuid": map[string]any{"0": []string{"Not a valid UUID."}}}, "")
				return
			}
			uuids = append(uuids, id)
		}
	}
	items := s.cfg.Presence.List(t.TenantUUID, uuids)
	if items == nil {
		items = []presence.Presence{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "filtered": len(items), "total": s.cfg.Presence.Count(t.TenantUUID)})
}

// presenceUser authenticates a /users/{uuid}/presences route: the path
// must be a uuid (Flask's uuid converter: "me" is no route, 404), the
// token needs chatd.users.{uuid}.presences.<verb> ("me" in the token's
// ACL matches its own uuid), and the user must be of the token's tenant.
func (s *Side) presenceUser(w http.ResponseWriter, r *http.Request, verb string) (string, bool) {
	id := r.PathValue("uuid")
	if _, err := uuid.Parse(id); err != nil {
		s.writeChatdError(w, http.StatusNotFound, "not-found", "The requested URL was not found on the server.", nil, "")
		return "", false
	}
	t, cerr := s.authenticate(r, "chatd.users."+id+".presences."+verb)
	if cerr != nil {
		s.writeCalldError(w, cerr)
		return "", false
	}
	if u, ok := s.users.User(id); !ok || u.TenantUUID != t.TenantUUID {
		s.writeChatdError(w, http.StatusNotFound, "unknown-user", `No such user: "`+id+`"`, map[string]any{"uuid": id}, "users")
		return "", false
	}
	return id, true
}

// getPresence: GET /users/{uuid}/presences (http.py PresenceItemResource.get).
func (s *Side) getPresence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.presenceUser(w, r, "read")
	if !ok {
		return
	}
	p, err := s.cfg.Presence.Get(id)
	if err != nil {
		s.writeChatdError(w, http.StatusNotFound, "unknown-user", `No such user: "`+id+`"`, map[string]any{"uuid": id}, "users")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// putPresence: PUT /users/{uuid}/presences {"state", "status"} → 204
// (http.py PresenceItemResource.put). state is required and one of the
// four; status is optional (a missing key keeps the stored one, null
// clears it); read-only fields are ignored (dump_only).
func (s *Side) putPresence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.presenceUser(w, r, "update")
	if !ok {
		return
	}
	raw, _ := readBody(r)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid",
			map[string]any{"_schema": []string{"Invalid input type."}}, "")
		return
	}
	var state string
	if v, ok := body["state"]; !ok {
		s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid",
			map[string]any{"state": map[string]any{"constraint_id": "required", "constraint": "required", "message": "Missing data for required field."}}, "")
		return
	} else if json.Unmarshal(v, &state) != nil || !presence.ValidState(state) {
		s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid",
			map[string]any{"state": map[string]any{"constraint_id": "one_of", "constraint": map[string]any{"choices": []string{"available", "unavailable", "invisible", "away"}}, "message": "Must be one of: available, unavailable, invisible, away."}}, "")
		return
	}
	var status *string
	clear := false
	if v, ok := body["status"]; ok {
		if string(v) == "null" {
			clear = true
		} else {
			var st string
			if json.Unmarshal(v, &st) != nil {
				s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid",
					map[string]any{"status": map[string]any{"constraint_id": "type", "constraint": "string", "message": "Not a valid string."}}, "")
				return
			}
			status = &st
		}
	}
	if err := s.cfg.Presence.Update(id, state, status, clear); err != nil {
		if errors.Is(err, presence.ErrNoSuchUser) {
			s.writeChatdError(w, http.StatusNotFound, "unknown-user", `No such user: "`+id+`"`, map[string]any{"uuid": id}, "users")
			return
		}
		s.writeChatdError(w, http.StatusBadRequest, "invalid-data", "Sent data is invalid", map[string]any{"state": err.Error()}, "")
		return
	}
	noContent(w)
}

// dndOf is the user's confd DND service, which chatd mirrors.
func (s *Side) dndOf(userUUID string) bool {
	if s.cfg.Presence == nil {
		return false
	}
	p, err := s.cfg.Presence.Get(userUUID)
	return err == nil && p.DoNotDisturb
}

// handleConfdDND: PUT /api/confd/1.1/users/{uuid}/services/dnd
// {"enabled": bool} → 204, ACL confd.users.{uuid}.services.dnd.update
// (wazo-confd plugins/user/sub_resources/resource.py UserServiceDND).
// confd publishes users_services_dnd_updated {user_id, user_uuid,
// tenant_uuid, enabled} to the user (plugins/user/notifier.py,
// UserServiceEditedEvent), and chatd copies it into do_not_disturb
// (bus_consume.py _user_dnd_updated), publishing the presence.
func (s *Side) handleConfdDND(w http.ResponseWriter, r *http.Request) {
	u, ok := s.confdUser(w, r, ".services.dnd.update")
	if !ok {
		return
	}
	raw, _ := readBody(r)
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Enabled == nil {
		writeJSON(w, http.StatusBadRequest, []string{"Input Error - field 'enabled': Missing data for required field."})
		return
	}
	s.bus.Publish("users_services_dnd_updated", u.UUID, u.TenantUUID, "events.config.users."+u.UUID+".services.dnd.updated",
		map[string]any{"user_id": confdUserID(u.UUID), "user_uuid": u.UUID, "tenant_uuid": u.TenantUUID, "enabled": *body.Enabled})
	if s.cfg.Presence != nil {
		_ = s.cfg.Presence.SetDND(u.UUID, *body.Enabled)
	}
	noContent(w)
}
