package wazo

import (
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/wazostandin"
)

// TestVoicemailAgainstStandIn walks the users/me voicemail routes: no
// mailbox, a message left (created event), listing, audio, mark read
// (updated event, folder old), delete (deleted event), and the errors.
func TestVoicemailAgainstStandIn(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	if _, err := c.Voicemail(ctx(t)); !errors.Is(err, ErrNoVoicemail) {
		t.Fatalf("no mailbox: %v", err)
	}
	box := e.stack.AddVoicemail(aliceUUID, "1001", "Alice")
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)

	left, err := e.stack.LeaveVoicemail(aliceUUID, wazostandin.NewVoicemail{
		CallerIDName: "Bob", CallerIDNum: "1002", Duration: 2 * time.Second,
		Audio: wazostandin.ToneWAV(2*time.Second, 697),
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "user_voicemail_message_created", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "user_voicemail_message_created" })
		return ok
	})
	ev, _ := evs.find(func(ev Event) bool { return ev.Name == "user_voicemail_message_created" })
	vev, err := ev.Voicemail()
	if err != nil || !ev.IsVoicemailEvent() || vev.MessageID != left.ID || vev.VoicemailID != box ||
		vev.Message.CallerIDName != "Bob" || vev.Message.Duration != 2*time.Second || !vev.Message.Unread() {
		t.Fatalf("created event %+v (%v) from %s", vev, err, ev.Raw)
	}

	v, err := c.Voicemail(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != box || v.Number != "1001" || len(v.Folders) != 6 || len(v.Messages) != 1 ||
		v.Messages[0].ID != left.ID || v.Messages[0].Folder.ID != VoicemailInbox || v.Messages[0].CallerIDNum != "1002" {
		t.Fatalf("mailbox %+v", v)
	}

	audio, err := c.VoicemailRecording(ctx(t), left.ID)
	if err != nil {
		t.Fatal(err)
	}
	rate, pcm, err := dsp.ReadWAV(audio)
	if err != nil || rate != wazostandin.VoicemailRate {
		t.Fatalf("recording: rate %d, %v", rate, err)
	}
	if f := dsp.DominantFrequency(pcm[:rate], rate); f < 690 || f > 704 {
		t.Fatalf("recording's dominant frequency %.1f Hz, want 697", f)
	}

	// The token as a query parameter, as an audio element uses the URL.
	s, _ := c.Session()
	u := e.srv.URL + "/api/calld/1.0/users/me/voicemails/messages/" + left.ID + "/recording?token=" + url.QueryEscape(s.Token)
	resp, err := e.srv.Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("recording with ?token=: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	if err := c.MarkVoicemailRead(ctx(t), left.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "user_voicemail_message_updated", func() bool {
		ev, ok := evs.find(func(ev Event) bool { return ev.Name == "user_voicemail_message_updated" })
		if !ok {
			return false
		}
		u, err := ev.Voicemail()
		return err == nil && u.Message.Folder.ID == VoicemailOld && !u.Message.Unread()
	})
	m, err := c.VoicemailMessage(ctx(t), left.ID)
	if err != nil || m.Folder.Type != FolderTypeOld {
		t.Fatalf("message after mark read: %+v %v", m, err)
	}

	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"bad folder", c.MoveVoicemailMessage(ctx(t), left.ID, 42), ErrNoSuchVoicemailFolder},
		{"unknown message", c.DeleteVoicemailMessage(ctx(t), "1700000000-99"), ErrNoSuchVoicemailMessage},
		{"unsafe id", c.DeleteVoicemailMessage(ctx(t), "a_b"), ErrNoSuchVoicemailMessage},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}

	if err := c.DeleteVoicemailMessage(ctx(t), left.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "user_voicemail_message_deleted", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "user_voicemail_message_deleted" })
		return ok
	})
	if _, err := c.VoicemailRecording(ctx(t), left.ID); !errors.Is(err, ErrNoSuchVoicemailMessage) {
		t.Fatalf("recording of a deleted message: %v", err)
	}
}

// TestRecordingControl follows calld's rules: refused without the user's
// permission, pause before start refused, then start → pause → resume →
// stop, each seen as record_state in call_updated and a recording_* event.
func TestRecordingControl(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.stack.AddUser(wazostandin.User{UUID: carolUUID, Username: "carol", Password: "pw", OnlineCallRecord: true}); err != nil {
		t.Fatal(err)
	}
	alice := e.login()
	aliceLeg, _ := aliceCall(t, e.stack.Calls(), aliceUUID)
	err := alice.StartRecording(ctx(t), aliceLeg)
	if !errors.Is(err, ErrRecordingUnauthorized) {
		t.Fatalf("alice may not record: %v", err)
	}
	var api *APIError
	if !errors.As(err, &api) || api.Status != http.StatusForbidden || api.ErrorID != "recording-unauthorized" {
		t.Fatalf("refusal %+v", api)
	}

	c := e.client()
	if _, err := c.Login(ctx(t), "carol", "pw"); err != nil {
		t.Fatal(err)
	}
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)
	leg, _ := aliceCall(t, e.stack.Calls(), carolUUID)
	if err := c.PauseRecording(ctx(t), leg); !errors.Is(err, ErrRecordingNotStarted) {
		t.Fatalf("pause before start: %v", err)
	}
	if err := c.StartRecording(ctx(t), aliceLeg); !errors.Is(err, ErrUserPermissionDenied) {
		t.Fatalf("recording alice's call: %v", err)
	}
	state := func(want string) func() bool {
		return func() bool {
			evs.mu.Lock()
			defer evs.mu.Unlock()
			for i := len(evs.evs) - 1; i >= 0; i-- {
				if evs.evs[i].Name == "call_updated" {
					cl, err := evs.evs[i].Call()
					if err == nil && cl.CallID == leg {
						return cl.RecordState == want
					}
				}
			}
			return false
		}
	}
	for _, step := range []struct {
		op    func() error
		state string
		event string
	}{
		{func() error { return c.StartRecording(ctx(t), leg) }, RecordActive, "recording_started"},
		{func() error { return c.PauseRecording(ctx(t), leg) }, RecordPaused, "recording_paused"},
		{func() error { return c.ResumeRecording(ctx(t), leg) }, RecordActive, "recording_resumed"},
		{func() error { return c.StopRecording(ctx(t), leg) }, RecordInactive, "recording_stopped"},
	} {
		if err := step.op(); err != nil {
			t.Fatalf("%s: %v", step.event, err)
		}
		waitFor(t, "record_state "+step.state, state(step.state))
		waitFor(t, step.event, func() bool {
			_, ok := evs.find(func(ev Event) bool { return ev.Name == step.event && ev.IsRecordingEvent() })
			return ok
		})
	}
	// Stopping a call that is not recorded does nothing, as in calld.
	if err := c.StopRecording(ctx(t), leg); err != nil {
		t.Fatalf("stop when stopped: %v", err)
	}
}
