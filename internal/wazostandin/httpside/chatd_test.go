package httpside

import (
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/presence"
)

func withPresence() testOption {
	return func(c *Config) {
		c.Presence = presence.New(presence.Config{Users: c.Users, Calls: c.Calls, Publish: c.Bus.Publish})
	}
}

// TestChatdPresenceRoutes: status codes and error envelopes of the chatd
// routes (wazo-chatd plugins/presences/http.py, exceptions.py, xivo
// mallow_helpers).
func TestChatdPresenceRoutes(t *testing.T) {
	e := newHTTPEnv(t, withPresence())
	const p = "/api/chatd/1.0/users/"
	type errBody struct {
		ErrorID  string         `json:"error_id"`
		Resource string         `json:"resource"`
		Details  map[string]any `json:"details"`
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		errorID                  string
	}{
		{"list", "GET", p + "presences", "", 200, ""},
		{"list filtered", "GET", p + "presences?user_uuid=" + otherUUID, "", 200, ""},
		{"list bad uuid", "GET", p + "presences?user_uuid=nope", "", 400, "invalid-data"},
		{"get other", "GET", p + otherUUID + "/presences", "", 200, ""},
		{"get unknown", "GET", p + "33333333-3333-3333-3333-333333333333/presences", "", 404, "unknown-user"},
		{"me is no route", "GET", p + "me/presences", "", 404, "not-found"},
		{"put mine", "PUT", p + hostUUID + "/presences", `{"state":"away","status":"lunch","do_not_disturb":true}`, 204, ""},
		{"put without state", "PUT", p + hostUUID + "/presences", `{"status":"x"}`, 400, "invalid-data"},
		{"put bad state", "PUT", p + hostUUID + "/presences", `{"state":"busy"}`, 400, "invalid-data"},
		{"put bad status", "PUT", p + hostUUID + "/presences", `{"state":"away","status":3}`, 400, "invalid-data"},
		{"put not json", "PUT", p + hostUUID + "/presences", `[`, 400, "invalid-data"},
		{"put someone else's", "PUT", p + otherUUID + "/presences", `{"state":"away"}`, 401, "unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body errBody
			var out any = &body
			status := e.do(tc.method, tc.path, tc.body, nil, out)
			if status != tc.status || body.ErrorID != tc.errorID {
				t.Fatalf("%d %q, want %d %q", status, body.ErrorID, tc.status, tc.errorID)
			}
			if tc.errorID == "unknown-user" && body.Resource != "users" {
				t.Fatalf("resource %q", body.Resource)
			}
		})
	}
	var got presence.Presence
	if e.do("GET", p+hostUUID+"/presences", "", nil, &got) != 200 || got.State != "away" || got.Status == nil || *got.Status != "lunch" ||
		got.DoNotDisturb || got.LineState != "available" || len(got.Lines) != 2 {
		t.Fatalf("after put: %+v", got)
	}
	var list struct {
		Items           []presence.Presence `json:"items"`
		Filtered, Total int
	}
	if e.do("GET", p+"presences?user_uuid="+otherUUID, "", nil, &list) != 200 || len(list.Items) != 1 || list.Filtered != 1 || list.Total != 2 {
		t.Fatalf("filtered list %+v", list)
	}
}
