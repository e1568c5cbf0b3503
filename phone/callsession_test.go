package phone

import (
	"encoding/json"
	"testing"
	"time"
)

// TestSessionState: our statuses map onto the SDK's sipStatus values, the
// SIP.js session states (wazo-js-sdk WebRTCPhone.ts _createCallSession).
func TestSessionState(t *testing.T) {
	for _, tc := range []struct {
		status Status
		want   SessionState
	}{
		{StatusIncoming, SessionInitial},
		{StatusDialing, SessionEstablishing},
		{StatusRinging, SessionEstablishing},
		{StatusEstablished, SessionEstablished},
		{StatusHeld, SessionEstablished},
		{StatusEnded, SessionTerminated},
		{StatusFailed, SessionTerminated},
	} {
		if got := (CallSession{Status: tc.status}).SessionState(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.status, got, tc.want)
		}
	}
}

// TestCallSessionJSON: the JSON has our sipStatus and the SDK's
// sessionState, and a ServerCall's nulls stay null; it decodes back.
func TestCallSessionJSON(t *testing.T) {
	line, user := 3, "u-1"
	at := time.Date(2026, 12, 4, 5, 6, 7, 0, time.UTC)
	cs := CallSession{SIPCallID: "sip-1", Status: StatusHeld, Call: &ServerCall{
		CallID: "1.2", UserUUID: &user, LineID: &line, AnswerTime: &at,
		TalkingTo: map[string]*string{"1.3": nil, "1.4": &user},
	}}
	raw, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	call, _ := m["call"].(map[string]any)
	tt, _ := call["talking_to"].(map[string]any)
	if m["sipStatus"] != "held" || m["sessionState"] != "Established" || call["line_id"] != float64(3) ||
		call["user_uuid"] != "u-1" || tt["1.4"] != "u-1" {
		t.Fatalf("json %s", raw)
	}
	for _, k := range []string{"hangup_time", "creation_time", "dialed_extension", "conversation_id", "sip_call_id"} {
		if v, ok := call[k]; !ok || v != nil {
			t.Errorf("call.%s = %v (present %v), want null", k, v, ok)
		}
	}
	if v, ok := tt["1.3"]; !ok || v != nil {
		t.Errorf("talking_to 1.3 = %v, want null", v)
	}
	var back CallSession
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != StatusHeld || back.Call == nil || *back.Call.LineID != 3 || back.Call.TalkingTo["1.3"] != nil || !back.Call.AnswerTime.Equal(at) {
		t.Fatalf("round trip %+v", back)
	}
}

// TestServerCallCloneSharesNothing: a snapshot's ServerCall can be changed
// without touching the engine's copy.
func TestServerCallCloneSharesNothing(t *testing.T) {
	u, line := "u", 1
	sc := &ServerCall{UserUUID: &u, LineID: &line, TalkingTo: map[string]*string{"p": &u}}
	cp := sc.clone()
	*cp.UserUUID, *cp.LineID, *cp.TalkingTo["p"] = "x", 2, "y"
	if u != "u" || line != 1 || *sc.TalkingTo["p"] != "u" {
		t.Fatalf("clone shares memory: %q %d %q", u, line, *sc.TalkingTo["p"])
	}
}
