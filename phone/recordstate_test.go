package phone

import "testing"

// TestApplyServerCallRecordState: the recording flags follow calld's
// record_state as the SDK's CallSession does.
func TestApplyServerCallRecordState(t *testing.T) {
	for _, tc := range []struct {
		state             string
		recording, paused bool
	}{
		{RecordActive, true, false},
		{RecordPaused, false, true},
		{RecordInactive, false, false},
		{"", false, false},
	} {
		cs := CallSession{Recording: true, RecordingPaused: true}
		cs.ApplyServerCall(ServerCall{CallID: "1.2", RecordState: tc.state})
		if cs.Recording != tc.recording || cs.RecordingPaused != tc.paused || cs.CallID != "1.2" || cs.Call.RecordState != tc.state {
			t.Errorf("record_state %q: recording %v paused %v (call %+v)", tc.state, cs.Recording, cs.RecordingPaused, cs.Call)
		}
	}
}
