package desk

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// answered rings the user from a customer, answers, and waits until the
// server's id of the call is known.
func answered(t *testing.T, e *vmEnv, l *wazoline.Line, userUUID string) string {
	t.Helper()
	rc, err := e.stack.Ring(userUUID, "5550100", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	vmWait(t, "the call rings", func() bool { _, ok := l.Phone().Session(rc.SIPCallID); return ok })
	if err := l.Phone().Accept(vmCtx(t), rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	vmWait(t, "the server's call id", func() bool {
		cs, ok := l.Phone().Session(rc.SIPCallID)
		return ok && cs.CallID != "" && cs.Call != nil
	})
	return rc.SIPCallID
}

// TestRecordingFollowsTheServer: start, pause, resume (by TogglePause) and
// stop, each seen on the engine's CallSession from the server's
// record_state.
func TestRecordingFollowsTheServer(t *testing.T) {
	e := newVMEnv(t)
	d, l := e.desk(t, "alice", "secret")
	id := answered(t, e, l, e.alice.UUID)
	rec := d.Recording()
	state := func(what string, recording, paused bool) {
		t.Helper()
		vmWait(t, what, func() bool {
			cs, ok := l.API().Session(id)
			return ok && cs.Recording == recording && cs.RecordingPaused == paused
		})
	}
	if _, err := rec.TogglePause(vmCtx(t), id); !errors.Is(err, ErrNotRecording) {
		t.Fatalf("toggle before start: %v", err)
	}
	if err := rec.Pause(vmCtx(t), id); err == nil || !strings.Contains(err.Error(), "not being recorded") {
		t.Fatalf("pause before start: %v", err)
	}
	if err := rec.Start(vmCtx(t), id); err != nil {
		t.Fatal(err)
	}
	state("recording", true, false)
	if err := rec.Pause(vmCtx(t), id); err != nil {
		t.Fatal(err)
	}
	state("recording paused", false, true)
	paused, err := rec.TogglePause(vmCtx(t), id)
	if err != nil || paused {
		t.Fatalf("toggle on a paused recording: paused=%v %v", paused, err)
	}
	state("recording resumed", true, false)
	// The calld id works as well as the SIP Call-ID.
	cs, _ := l.API().Session(id)
	if err := rec.Stop(vmCtx(t), cs.CallID); err != nil {
		t.Fatal(err)
	}
	state("recording stopped", false, false)
	if c, _ := e.stack.Calls().Get(cs.CallID); c.RecordState != phone.RecordInactive {
		t.Fatalf("the server's record_state is %q", c.RecordState)
	}
}

// TestRecordingRefused: a user the server does not allow to record gets
// calld's refusal in words, and the call is not marked recorded.
func TestRecordingRefused(t *testing.T) {
	e := newVMEnv(t)
	d, l := e.desk(t, "bob", "pw")
	id := answered(t, e, l, e.bob.UUID)
	err := d.Recording().Start(vmCtx(t), id)
	if err == nil || !strings.Contains(err.Error(), "could not start recording") || !strings.Contains(err.Error(), "does not let you record") {
		t.Fatalf("refused start: %v", err)
	}
	if cs, _ := l.API().Session(id); cs.Recording || cs.RecordingPaused {
		t.Fatalf("refused, yet %+v", cs)
	}
	if err := d.Recording().Start(vmCtx(t), "no-such-call"); !errors.Is(err, ErrRecordingUnknownCall) {
		t.Fatalf("unknown call: %v", err)
	}
}
