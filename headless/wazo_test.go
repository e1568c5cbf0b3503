package headless_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// TestTransferOnAWazoLineGoesThroughCalld: on a Wazo line the headless
// transfer command is wazo-calld's blind transfer (wazoline's API), with
// the same reply and events as REFER's; a refusal is an error reply and
// leaves the call up. The stand-in's recipient channel belongs to the
// agent, which only calld's transfer does (a REFER's target has no owner).
func TestTransferOnAWazoLineGoesThroughCalld(t *testing.T) {
	const alice = "aaaaaaaa-0000-4000-8000-000000000001"
	st := wazostandin.New()
	if _, err := st.AddUser(wazostandin.User{UUID: alice, Username: "alice", Password: "secret",
		Lines: []wazostandin.Line{{WebRTC: true, Username: "alice-webrtc", Password: "linepw",
			Extensions: []wazostandin.Extension{{Exten: "1100", Context: "default"}}}}}); err != nil {
		t.Fatal(err)
	}
	url, err := st.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cert, err := st.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	l, err := wazoline.Connect(ctx, url, "alice", "secret",
		wazoline.WithPinnedCertificate(wazostandin.CertificateSHA256(cert)), wazoline.WithLogger(slog.New(slog.DiscardHandler)),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(context.Background()) })

	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, out: newOutput(), done: make(chan error, 1)}
	runCtx, stop := context.WithCancel(context.Background())
	go func() { s.done <- headless.Run(runCtx, l.API(), pr, s.out) }()
	t.Cleanup(func() { stop(); _ = pw.Close(); <-s.done })
	s.ready()

	s.send(`{"cmd":"call","number":"1001","id":"c"}`)
	id := s.reply("c").SIPCallID
	deadline := time.Now().Add(30 * time.Second)
	for {
		cs, ok := l.Phone().Session(id)
		if ok && cs.Status == phone.StatusEstablished && cs.CallID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the call never came up with its calld id: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}

	s.send(`{"cmd":"transfer","target":"4242","id":"bad"}`)
	if r := s.reply("bad"); r.OK == nil || *r.OK || !strings.Contains(r.Error, "cannot be dialled") {
		t.Fatalf("refused transfer replied %s", r.raw)
	}
	if cs, ok := l.Phone().Session(id); !ok || cs.Status != phone.StatusEstablished {
		t.Fatalf("the refused transfer ended the call: %+v", cs)
	}

	s.send(`{"cmd":"transfer","target":"1002","id":"x"}`)
	if r := s.reply("x"); r.OK == nil || !*r.OK {
		t.Fatalf("transfer replied %s", r.raw)
	}
	if ev := s.event("call_transferred", 1); ev.Reason != "transferred to 1002" {
		t.Fatalf("call_transferred %s", ev.raw)
	}
	if ev := s.event("call_ended", 1); !strings.Contains(ev.raw, "the call was transferred to 1002") {
		t.Fatalf("call_ended %s", ev.raw)
	}
	var recipient wazostandin.Call
	for _, c := range st.Calls().All() {
		if c.PeerCallerIDNumber == "1002" {
			recipient = c
		}
	}
	if recipient.Owner() != alice {
		t.Fatalf("the target's channel %+v is not calld's recipient", recipient)
	}
}
