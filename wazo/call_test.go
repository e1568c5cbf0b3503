package wazo

import (
	"encoding/json"
	"testing"
)

// TestEventCallDecodesThePlatformsNulls: a call_updated whose Call has the
// nulls calld leaves on a local channel (no user, line or SIP call id)
// decodes through wire.Call; the nullable strings read "", the timestamps
// keep telling "not yet" from a value.
func TestEventCallDecodesThePlatformsNulls(t *testing.T) {
	raw := `{"name":"call_updated","tenant_uuid":"t","data":{"call_id":"1700000000.43","conversation_id":null,
		"user_uuid":null,"status":"Up","talking_to":{"1700000000.42":null},"bridges":["b1"],
		"creation_time":null,"answer_time":"2026-12-02T20:00:05.000+0000","hangup_time":null,
		"caller_id_name":"","caller_id_number":"","peer_caller_id_name":"","peer_caller_id_number":"",
		"on_hold":true,"muted":true,"record_state":"active","is_caller":true,"is_video":false,
		"dialed_extension":null,"sip_call_id":null,"line_id":null,"direction":"unknown","parked":false}}`
	ev, err := parseEvent(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ev.Call()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"call id", c.CallID == "1700000000.43"},
		{"null user uuid reads empty", c.UserUUID == ""},
		{"null SIP call id reads empty", c.SIPCallID == ""},
		{"null conversation id reads empty", c.ConversationID == ""},
		{"null line id stays nil", c.LineID == nil},
		{"answer time kept", c.AnswerTime != nil && *c.AnswerTime == "2026-12-02T20:00:05.000+0000"},
		{"null hangup time stays nil", c.HangupTime == nil},
		{"peer with no user", len(c.TalkingTo) == 1 && c.TalkingTo["1700000000.42"] == nil},
		{"held and muted", c.OnHold && c.Muted},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: got %+v", ch.what, c)
		}
	}
	if _, err := (Event{Name: "call_updated", Data: json.RawMessage(`{"call_id":5}`)}).Call(); err == nil {
		t.Error("a call id that is not a string decoded without error")
	}
}
