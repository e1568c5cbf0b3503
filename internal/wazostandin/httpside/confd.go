package httpside

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// confdNotFound writes confd's own error shape: a JSON list of messages.
func confdNotFound(w http.ResponseWriter, what string, key string, val any) {
	writeJSON(w, http.StatusNotFound, []string{fmt.Sprintf("Resource Not Found - %s was not found ('%s': %v)", what, key, val)})
}

// resolveUser maps "{uuid}" (or "me") to a user the token may read.
func (s *Side) confdUser(w http.ResponseWriter, r *http.Request, suffix string) (directory.User, bool) {
	id := r.PathValue("uuid")
	acl := "confd.users." + id + suffix
	t, cerr := s.authenticate(r, acl)
	if cerr != nil {
		s.writeCalldError(w, cerr)
		return directory.User{}, false
	}
	if id == "me" {
		id = t.UserUUID
	}
	u, ok := s.users.User(id)
	if !ok {
		confdNotFound(w, "User", "uuid", id)
		return directory.User{}, false
	}
	return u, true
}

// handleConfdUser: GET /api/confd/1.1/users/{uuid} (docs/wazo-protocol.md, Lines and registration, Calls API).
func (s *Side) handleConfdUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.confdUser(w, r, ".read")
	if !ok {
		return
	}
	lines := make([]map[string]any, 0, len(u.Lines))
	for i, l := range u.Lines {
		exts := make([]map[string]any, 0, len(l.Extensions))
		for _, e := range l.Extensions {
			exts = append(exts, map[string]any{"id": e.ID, "exten": e.Exten, "context": e.Context,
				"links": []any{map[string]any{"rel": "extensions", "href": fmt.Sprintf("/api/confd/1.1/extensions/%d", e.ID)}}})
		}
		line := map[string]any{
			"id": l.ID, "name": l.Name, "context": l.Context, "position": i + 1,
			"endpoint_sip": nil, "endpoint_sccp": nil, "endpoint_custom": nil,
			"extensions": exts,
			"links":      []any{map[string]any{"rel": "lines", "href": fmt.Sprintf("/api/confd/1.1/lines/%d", l.ID)}},
		}
		switch l.Protocol {
		case directory.LineSCCP:
			line["endpoint_sccp"] = map[string]any{"id": l.ID}
		case directory.LineCustom:
			line["endpoint_custom"] = map[string]any{"id": l.ID, "interface": l.Name}
		default:
			line["endpoint_sip"] = map[string]any{
				"uuid": l.EndpointUUID, "label": l.Name, "name": l.Name,
				"auth_section_options": [][2]string{{"username", l.Username}},
				"links":                []any{map[string]any{"rel": "endpoint_sip", "href": "/api/confd/1.1/endpoints/sip/" + l.EndpointUUID}},
			}
		}
		lines = append(lines, line)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"uuid": u.UUID, "id": confdUserID(u.UUID), "firstname": u.Firstname, "lastname": u.Lastname,
		"email": nilIfEmpty(u.Email), "username": u.Username,
		"caller_id":           fmt.Sprintf("%q", u.DisplayName()),
		"mobile_phone_number": nil, "ring_seconds": 30, "subscription_type": 0,
		"tenant_uuid": u.TenantUUID,
		"forwards": map[string]any{
			"busy":          map[string]any{"enabled": false, "destination": nil},
			"noanswer":      map[string]any{"enabled": false, "destination": nil},
			"unconditional": map[string]any{"enabled": false, "destination": nil},
		},
		"services":     map[string]any{"dnd": map[string]any{"enabled": s.dndOf(u.UUID)}, "incallfilter": map[string]any{"enabled": false}},
		"voicemail":    nil,
		"switchboards": []any{}, "incalls": []any{}, "agent": confdAgent(u),
		"lines": lines,
	})
}

// confdAgent is the user's "agent" (wazo-confd UserSchema: the agent's id,
// number, firstname, lastname and links), null when the user is no agent.
func confdAgent(u directory.User) any {
	if u.Agent == nil {
		return nil
	}
	return map[string]any{"id": u.Agent.ID, "number": u.Agent.Number, "firstname": u.Firstname, "lastname": u.Lastname,
		"links": []any{map[string]any{"rel": "agents", "href": fmt.Sprintf("/api/confd/1.1/agents/%d", u.Agent.ID)}}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// confdUserID derives a stable small integer id from a uuid.
func confdUserID(u string) int {
	h := 0
	for _, c := range u {
		h = (h*31 + int(c)) % 100000
	}
	return h + 1
}

// handleConfdInfos: GET /api/confd/1.1/infos (docs/wazo-protocol.md, Lines and registration step 3).
func (s *Side) handleConfdInfos(w http.ResponseWriter, r *http.Request) {
	if _, cerr := s.authenticate(r, "confd.infos.read"); cerr != nil {
		s.writeCalldError(w, cerr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"uuid": s.cfg.StackUUID, "wazo_version": s.cfg.WazoVersion})
}

// handleConfdMergedSIP:
// GET /api/confd/1.1/users/{uuid}/lines/{line_id}/associated/endpoints/sip
// (docs/wazo-protocol.md, Lines and registration, Calls API). 404 for SCCP/custom lines, which the SDK ignores (docs/wazo-protocol.md, Lines and registration).
func (s *Side) handleConfdMergedSIP(w http.ResponseWriter, r *http.Request) {
	u, ok := s.confdUser(w, r, ".lines.read")
	if !ok {
		return
	}
	lineID, err := strconv.Atoi(r.PathValue("line_id"))
	if err != nil {
		confdNotFound(w, "Line", "id", r.PathValue("line_id"))
		return
	}
	var line *directory.Line
	for i := range u.Lines {
		if u.Lines[i].ID == lineID {
			line = &u.Lines[i]
		}
	}
	if line == nil {
		confdNotFound(w, "Line", "id", lineID)
		return
	}
	if line.Protocol != directory.LineSIP {
		confdNotFound(w, "EndpointSIP", "line_id", lineID)
		return
	}
	writeJSON(w, http.StatusOK, s.mergedEndpoint(u, *line, r.URL.Query().Get("view") == "merged"))
}

// mergedEndpoint renders MergedEndpointSIPSchema; WebRTC lines get the
// "webrtc" template merged in (docs/wazo-protocol.md, Lines and registration generate_sip_templates).
func (s *Side) mergedEndpoint(u directory.User, l directory.Line, merged bool) map[string]any {
	auth := [][2]string{{"username", l.Username}, {"password", l.Password}}
	endpoint := [][2]string{}
	aor := [][2]string{{"qualify_frequency", "60"}, {"maximum_expiration", "3600"}, {"minimum_expiration", "60"}, {"default_expiration", "120"}}
	templates := []any{}
	transport := any(map[string]any{"uuid": "transport-udp", "name": "transport-udp"})
	if merged {
		endpoint = append(endpoint,
			[2]string{"dtmf_mode", "rfc4733"}, [2]string{"direct_media", "no"}, [2]string{"allow_transfer", "yes"},
			[2]string{"rtp_timeout", "7200"}, [2]string{"rtp_timeout_hold", "0"}, [2]string{"use_ptime", "yes"},
			[2]string{"allow_subscribe", "yes"}, [2]string{"notify_early_inuse_ringing", "yes"})
	}
	if l.WebRTC {
		templates = append(templates, map[string]any{"uuid": "webrtc", "label": "webrtc"})
		transport = map[string]any{"uuid": "transport-wss", "name": "transport-wss"}
		if merged {
			endpoint = append(endpoint,
				[2]string{"webrtc", "yes"}, [2]string{"dtls_auto_generate_cert", "yes"},
				[2]string{"allow", "!all,opus,g722,alaw,ulaw,vp9,vp8,h264"},
				[2]string{"max_video_streams", "25"}, [2]string{"max_audio_streams", "1"},
				[2]string{"timers", "always"}, [2]string{"timers_sess_expires", "300"}, [2]string{"timers_min_se", "90"})
			aor = append(aor, [2]string{"remove_existing", "false"}, [2]string{"max_contacts", "10"})
		}
	} else if merged {
		endpoint = append(endpoint, [2]string{"allow", "!all,ulaw,alaw"})
	}
	endpoint = append(endpoint, [2]string{"callerid", fmt.Sprintf("%q <%s>", u.DisplayName(), firstExten(l))})
	return map[string]any{
		"uuid": l.EndpointUUID, "tenant_uuid": u.TenantUUID, "name": l.Name, "label": l.Name,
		"templates": templates, "transport": transport, "asterisk_id": nil,
		"links":                        []any{map[string]any{"rel": "endpoint_sip", "href": "/api/confd/1.1/endpoints/sip/" + l.EndpointUUID}},
		"line":                         map[string]any{"id": l.ID, "links": []any{map[string]any{"rel": "lines", "href": fmt.Sprintf("/api/confd/1.1/lines/%d", l.ID)}}},
		"aor_section_options":          aor,
		"auth_section_options":         auth,
		"endpoint_section_options":     endpoint,
		"identify_section_options":     [][2]string{},
		"registration_section_options": [][2]string{},
		"registration_outbound_auth_section_options": [][2]string{},
		"outbound_auth_section_options":              [][2]string{},
	}
}

func firstExten(l directory.Line) string {
	if len(l.Extensions) > 0 {
		return l.Extensions[0].Exten
	}
	return ""
}
