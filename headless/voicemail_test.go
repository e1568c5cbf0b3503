package headless_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// deskSession signs a stand-in user in through the real line and runs
// headless mode on it with its Desk.
func deskSession(t *testing.T, st *wazostandin.Stack, url string, pin [32]byte, user, password string) (*session, *wazoline.Line) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	l, err := wazoline.Connect(ctx, url, user, password, wazoline.WithPinnedCertificate(pin),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(l)
	pr, pw := io.Pipe()
	out := newOutput()
	s := &session{t: t, in: pw, out: out, done: make(chan error, 1)}
	rctx, rcancel := context.WithCancel(context.Background())
	go func() { s.done <- headless.Run(rctx, l.API(), pr, out, headless.WithDesk(d)) }()
	t.Cleanup(func() {
		rcancel()
		_ = pw.Close()
		<-s.done
		d.Close()
		_ = l.Close(context.Background())
	})
	return s, l
}

func deskStack(t *testing.T) (*wazostandin.Stack, wazostandin.User, string, [32]byte) {
	t.Helper()
	st := wazostandin.New()
	u, err := st.AddUser(wazostandin.User{Username: "alice", Password: "secret", Firstname: "Alice", OnlineCallRecord: true,
		Lines: []wazostandin.Line{{WebRTC: true, Username: "alice-webrtc", Password: "linepw", Extensions: []wazostandin.Extension{{Exten: "1001", Context: "default"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	st.AddVoicemail(u.UUID, "1001", "Alice")
	url, err := st.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cert, err := st.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	return st, u, url, wazostandin.CertificateSHA256(cert)
}

// TestHeadlessVoicemail: a message left on the server is an event with the
// count; voicemail_list, voicemail_read and voicemail_delete act on it; a
// missing field is said in words.
func TestHeadlessVoicemail(t *testing.T) {
	st, u, url, pin := deskStack(t)
	s, _ := deskSession(t, st, url, pin, "alice", "secret")
	s.ready()
	// The first list also proves the mailbox is loaded and followed.
	s.send(`{"cmd":"voicemail_list","id":"l0"}`)
	if r := s.reply("l0"); r.OK == nil || !*r.OK || !strings.Contains(string(r.Result), `"unread":0`) {
		t.Fatalf("empty list: %s", r.raw)
	}
	m, err := st.LeaveVoicemail(u.UUID, wazostandin.NewVoicemail{CallerIDName: "Customer", CallerIDNum: "5550100", Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	created := s.event("voicemail_created", 1)
	if !strings.Contains(created.raw, `"unread":1`) || !strings.Contains(created.raw, m.ID) {
		t.Fatalf("created: %s", created.raw)
	}
	s.send(`{"cmd":"voicemail_list","id":"l1"}`)
	var list struct {
		Messages []desk.VoicemailMessage `json:"messages"`
		Unread   int                     `json:"unread"`
	}
	if r := s.reply("l1"); json.Unmarshal(r.Result, &list) != nil || list.Unread != 1 || len(list.Messages) != 1 || !list.Messages[0].Unread {
		t.Fatalf("list: %s", r.raw)
	}
	s.send(`{"cmd":"voicemail_read","id":"r","message":"` + m.ID + `"}`)
	if r := s.reply("r"); !*r.OK {
		t.Fatalf("read: %s", r.raw)
	}
	if ev := s.event("voicemail_updated", 1); !strings.Contains(ev.raw, `"unread":0`) {
		t.Fatalf("updated: %s", ev.raw)
	}
	s.send(`{"cmd":"voicemail_delete","id":"d","message":"`+m.ID+`"}`, `{"cmd":"voicemail_delete","id":"d2"}`)
	if r := s.reply("d"); !*r.OK {
		t.Fatalf("delete: %s", r.raw)
	}
	s.event("voicemail_deleted", 1)
	if r := s.reply("d2"); *r.OK || !strings.Contains(r.Error, `needs a "message" field`) {
		t.Fatalf("delete without message: %s", r.raw)
	}
	s.send(`{"cmd":"voicemail_delete","id":"d3","message":"` + m.ID + `"}`)
	if r := s.reply("d3"); *r.OK || !strings.Contains(r.Error, "no longer exists") {
		t.Fatalf("delete twice: %s", r.raw)
	}
}

// TestHeadlessRecording: record_start/pause/resume/stop on the active call,
// the state seen on call_updated; pausing a call not recorded is refused
// in words.
func TestHeadlessRecording(t *testing.T) {
	st, u, url, pin := deskStack(t)
	s, l := deskSession(t, st, url, pin, "alice", "secret")
	s.ready()
	rc, err := st.Ring(u.UUID, "5550100", "Customer")
	if err != nil {
		t.Fatal(err)
	}
	s.event("call_incoming", 1)
	s.send(`{"cmd":"accept","id":"a","call":"` + rc.SIPCallID + `"}`)
	s.reply("a")
	deadline := time.Now().Add(patience)
	for {
		if cs, ok := l.API().Session(rc.SIPCallID); ok && cs.CallID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never identified the call")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.send(`{"cmd":"record_pause","id":"p0"}`)
	if r := s.reply("p0"); *r.OK || !strings.Contains(r.Error, "not being recorded") {
		t.Fatalf("pause before start: %s", r.raw)
	}
	recorded := func(recording, paused bool) {
		t.Helper()
		want := func(k string, v bool) string {
			if v {
				return `"` + k + `":true`
			}
			return `"` + k + `":false`
		}
		s.waitFor("call_updated "+want("recording", recording)+want("recordingPaused", paused), func(ls []line) bool {
			for i := len(ls) - 1; i >= 0; i-- {
				if ls[i].Event == "call_updated" {
					return strings.Contains(ls[i].raw, want("recording", recording)) && strings.Contains(ls[i].raw, want("recordingPaused", paused))
				}
			}
			return false
		})
	}
	for _, step := range []struct {
		cmd               string
		recording, paused bool
	}{
		{"record_start", true, false},
		{"record_pause", false, true},
		{"record_resume", true, false},
		{"record_stop", false, false},
	} {
		s.send(`{"cmd":"` + step.cmd + `","id":"` + step.cmd + `","call":"` + rc.SIPCallID + `"}`)
		if r := s.reply(step.cmd); !*r.OK {
			t.Fatalf("%s: %s", step.cmd, r.raw)
		}
		recorded(step.recording, step.paused)
	}
}
