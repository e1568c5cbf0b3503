package desk

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/wazostandin"
)

// TestVoicemailThroughTheLine: a message arrives (the message-waiting count
// goes up from the event), its audio is the tone that was left (frequency
// and level), marking it read and deleting it follow the server.
func TestVoicemailThroughTheLine(t *testing.T) {
	e := newVMEnv(t)
	d, _ := e.desk(t, "alice", "secret")
	v := d.Voicemail()
	if d.Voicemail() != v {
		t.Fatal("Voicemail is not one service per desk")
	}
	changes, stop := v.Subscribe()
	defer stop()
	v.Start()
	vmWait(t, "the mailbox loaded", v.Available)
	if n := v.Unread(); n != 0 {
		t.Fatalf("unread at start = %d", n)
	}

	left, err := e.stack.LeaveVoicemail(e.alice.UUID, wazostandin.NewVoicemail{
		CallerIDName: "Customer", CallerIDNum: "5550100", Duration: 3 * time.Second,
		Audio: wazostandin.ToneWAV(3*time.Second, 1209),
	})
	if err != nil {
		t.Fatal(err)
	}
	next := func(want VoicemailChange) VoicemailEvent {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case ev := <-changes:
				if ev.Change == want && ev.Message.ID != "" {
					return ev
				}
			case <-deadline:
				t.Fatalf("no %s event", want)
			}
		}
	}
	ev := next(VoicemailCreated)
	if ev.Unread != 1 || ev.Message.ID != left.ID || !ev.Message.Unread || ev.Message.Caller() != "Customer" ||
		ev.Message.Duration != 3*time.Second {
		t.Fatalf("created: %+v", ev)
	}
	if v.Unread() != 1 {
		t.Fatalf("Unread() = %d after a new message", v.Unread())
	}
	msgs, err := v.Messages(vmCtx(t))
	if err != nil || len(msgs) != 1 || msgs[0].ID != left.ID || msgs[0].Folder != "inbox" {
		t.Fatalf("Messages: %+v %v", msgs, err)
	}

	wav, err := v.Audio(vmCtx(t), left.ID)
	if err != nil {
		t.Fatal(err)
	}
	rate, pcm, err := dsp.ReadWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(len(pcm)) * time.Second / time.Duration(rate); got < 2900*time.Millisecond || got > 3100*time.Millisecond {
		t.Errorf("audio lasts %v, want 3 s", got)
	}
	mid := pcm[rate : 2*rate]
	if f := dsp.DominantFrequency(mid, rate); f < 1200 || f > 1218 {
		t.Errorf("dominant frequency %.1f Hz, want 1209", f)
	}
	if lvl := dsp.RMSdBFS(mid); lvl < -18 || lvl > -12 {
		t.Errorf("level %.1f dBFS, want about -15", lvl)
	}
	if lvl := dsp.TonedBFS(mid, rate, 697); lvl > -50 {
		t.Errorf("697 Hz at %.1f dBFS in a 1209 Hz message", lvl)
	}

	if err := v.MarkRead(vmCtx(t), left.ID); err != nil {
		t.Fatal(err)
	}
	ev = next(VoicemailUpdated)
	if ev.Unread != 0 || ev.Message.Unread || ev.Message.Folder != "old" {
		t.Fatalf("after mark read: %+v", ev)
	}
	if err := v.MarkRead(vmCtx(t), left.ID); err != nil {
		t.Fatalf("marking a read message again: %v", err)
	}

	if err := v.Delete(vmCtx(t), left.ID); err != nil {
		t.Fatal(err)
	}
	ev = next(VoicemailDeleted)
	if ev.Unread != 0 || len(v.Cached()) != 0 {
		t.Fatalf("after delete: %+v, cached %+v", ev, v.Cached())
	}
	err = v.Delete(vmCtx(t), left.ID)
	if err == nil || !strings.Contains(err.Error(), "no longer exists") {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, err := v.Audio(vmCtx(t), left.ID); err == nil || !strings.Contains(err.Error(), "could not fetch the voicemail message") {
		t.Fatalf("audio of a deleted message: %v", err)
	}
}

// TestVoicemailNoMailbox: a user without a mailbox has no voicemail, said
// in words.
func TestVoicemailNoMailbox(t *testing.T) {
	e := newVMEnv(t)
	d, _ := e.desk(t, "bob", "pw")
	v := d.Voicemail()
	_, err := v.Messages(vmCtx(t))
	if !errors.Is(err, ErrNoVoicemail) || !strings.Contains(err.Error(), "no voicemail box") {
		t.Fatalf("Messages without a mailbox: %v", err)
	}
	if v.Available() {
		t.Fatal("Available without a mailbox")
	}
}

// TestVoicemailCaughtUpAfterReconnect: a message left while the event
// socket is down (its event is lost) is counted once the line has
// reconnected and resynced.
func TestVoicemailCaughtUpAfterReconnect(t *testing.T) {
	e := newVMEnv(t)
	d, _ := e.desk(t, "alice", "secret")
	v := d.Voicemail()
	v.Start()
	vmWait(t, "the mailbox loaded", v.Available)
	e.stack.KillWebsockets()
	// Right after the kill the line is still backing off (≥ 0.8 s):
	// websocketd drops this message's event.
	if _, err := e.stack.LeaveVoicemail(e.alice.UUID, wazostandin.NewVoicemail{CallerIDNum: "5550100", Duration: time.Second}); err != nil {
		t.Fatal(err)
	}
	vmWait(t, "the message counted after the reconnect", func() bool { return v.Unread() == 1 && len(v.Cached()) == 1 })
}
