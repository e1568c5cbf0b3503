package wire

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Payloads as the platform sends them. Calls follow wazo-calld
// wazo_calld/plugins/calls/schemas.py CallSchema (field set) and
// plugins/calls/call.py (what stays None); websocketd frames follow
// wazo-websocketd wazo_websocketd/protocol.py (v2 encoder/decoder).
var callPayloads = map[string]string{
	"ringing inbound, nothing answered yet": `{"call_id":"1700000000.42","conversation_id":"1700000000.41",
		"user_uuid":"3f6b1c1e-5f2a-4d3e-9a5b-0c6d7e8f9a01","status":"Ringing","talking_to":{},"bridges":[],
		"creation_time":"2026-12-02T20:00:00.123+0000","answer_time":null,"hangup_time":null,
		"caller_id_name":"Alice","caller_id_number":"1001","peer_caller_id_name":"Bob","peer_caller_id_number":"1002",
		"on_hold":false,"muted":false,"record_state":"inactive","is_caller":false,"is_video":false,
		"dialed_extension":"1002","sip_call_id":"a84b4c76e66710@pc33.example","line_id":7,
		"direction":"internal","parked":false}`,
	"local channel without user, line or SIP call id": `{"call_id":"1700000000.43","conversation_id":null,
		"user_uuid":null,"status":"Up","talking_to":{"1700000000.42":null},"bridges":["b1"],
		"creation_time":null,"answer_time":"2026-12-02T20:00:05.000+0000","hangup_time":null,
		"caller_id_name":"","caller_id_number":"","peer_caller_id_name":"","peer_caller_id_number":"",
		"on_hold":true,"muted":true,"record_state":"active","is_caller":true,"is_video":false,
		"dialed_extension":null,"sip_call_id":null,"line_id":null,"direction":"unknown","parked":false}`,
	"call_ended data with reason_code": `{"call_id":"1700000000.42","conversation_id":"1700000000.41",
		"user_uuid":"3f6b1c1e-5f2a-4d3e-9a5b-0c6d7e8f9a01","status":"Down",
		"talking_to":{"1700000000.44":"3f6b1c1e-5f2a-4d3e-9a5b-0c6d7e8f9a02"},"bridges":[],
		"creation_time":"2026-12-02T20:00:00.123+0000","answer_time":"2026-12-02T20:00:05.000+0000",
		"hangup_time":"2026-12-02T20:01:00.000+0000","caller_id_name":"Alice","caller_id_number":"1001",
		"peer_caller_id_name":"Bob","peer_caller_id_number":"1002","on_hold":false,"muted":false,
		"record_state":"inactive","is_caller":true,"is_video":false,"dialed_extension":"1002",
		"sip_call_id":"a84b4c76e66710@pc33.example","line_id":7,"direction":"outbound","parked":false,
		"reason_code":16}`,
}

var messagePayloads = map[string]string{
	"init":         `{"op":"init","code":0,"data":{"version":2}}`,
	"subscribe":    `{"op":"subscribe","code":0}`,
	"start":        `{"op":"start","code":0}`,
	"pong":         `{"op":"pong","code":0,"data":{"payload":"x"}}`,
	"client ping":  `{"op":"ping","data":{"payload":"x"}}`,
	"client token": `{"op":"token","data":{"token":"t-2"}}`,
	"event": `{"op":"event","code":0,"data":{"name":"call_held","origin_uuid":"u","required_acl":"events.calls.me",
		"tenant_uuid":"t","data":{"call_id":"1.1","user_uuid":null}}}`,
}

// roundTrip decodes raw into v, encodes it back and requires the same JSON
// (nulls stay null, absent stays absent).
func roundTrip(t *testing.T, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	if err := json.Compact(&want, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	var a, b any
	_ = json.Unmarshal(want.Bytes(), &a)
	_ = json.Unmarshal(out, &b)
	wa, _ := json.Marshal(a) // map keys sorted: field order does not matter
	gb, _ := json.Marshal(b)
	got.Write(gb)
	if string(wa) != got.String() {
		t.Errorf("round trip changed the payload\n want %s\n got  %s", wa, gb)
	}
}

func TestCallContract(t *testing.T) {
	for name, raw := range callPayloads {
		t.Run(name, func(t *testing.T) { roundTrip(t, raw, new(Call)) })
	}
}

func TestMessageContract(t *testing.T) {
	for name, raw := range messagePayloads {
		t.Run(name, func(t *testing.T) { roundTrip(t, raw, new(Message)) })
	}
}
