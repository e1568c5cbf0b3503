package headless_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

// TestTransferOnAWazoLineGoesThroughCalld: on a Wazo line the headless
// transfer command is wazo-calld's blind transfer (wazoline's API), with
// the same reply and events as REFER's; a refusal is an error reply and
// leaves the call up. transfer_consult and transfer_cancel drive calld's
// attended transfer, reported by transfer_updated. The stand-in's recipient channel belongs to the
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
	d := desk.New(l)
	t.Cleanup(d.Close)
	go func() { s.done <- headless.Run(runCtx, l.API(), pr, s.out, headless.WithDesk(d)) }()
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

	// The server's attended transfer: consult the Chord Bot, cancel, again,
	// complete.
	transferred := func(state string, n int) {
		t.Helper()
		s.waitFor(fmt.Sprintf("transfer_updated %s #%d", state, n), func(ls []line) bool {
			seen := 0
			for _, l := range ls {
				if l.Event == "transfer_updated" && strings.Contains(l.raw, `"state":"`+state+`"`) &&
					strings.Contains(l.raw, `"call":"`+id+`"`) {
					seen++
				}
			}
			return seen >= n
		})
	}
	s.send(`{"cmd":"transfer_consult","target":"1002","id":"k1"}`)
	if r := s.reply("k1"); r.OK == nil || !*r.OK || !strings.Contains(string(r.Result), `"attended":true`) {
		t.Fatalf("transfer_consult replied %s", r.raw)
	}
	transferred("talking", 1)
	if raw, _ := s.out.snapshot(); !strings.Contains(strings.Join(raw, "\n"), `"targetName":"Chord Bot"`) {
		t.Fatal("the target is not named")
	}
	s.send(`{"cmd":"transfer_cancel","id":"k2"}`)
	if r := s.reply("k2"); r.OK == nil || !*r.OK {
		t.Fatalf("transfer_cancel replied %s", r.raw)
	}
	transferred("cancelled", 1)
	s.send(`{"cmd":"transfer_cancel","id":"k3"}`)
	if r := s.reply("k3"); r.OK == nil || *r.OK || !strings.Contains(r.Error, "is not being transferred") {
		t.Fatalf("cancel without a transfer replied %s", r.raw)
	}
	if cs, ok := l.Phone().Session(id); !ok || cs.Status != phone.StatusEstablished {
		t.Fatalf("the cancelled transfer ended the call: %+v", cs)
	}

	s.send(`{"cmd":"transfer_consult","target":"1002","id":"k4"}`)
	s.reply("k4")
	transferred("talking", 2)
	s.send(`{"cmd":"transfer_complete","id":"k5"}`)
	if r := s.reply("k5"); r.OK == nil || !*r.OK {
		t.Fatalf("transfer_complete replied %s", r.raw)
	}
	if ev := s.event("call_ended", 1); !strings.Contains(ev.raw, "the call was transferred to 1002") {
		t.Fatalf("call_ended %s", ev.raw)
	}
	transferred("handed_over", 1)

	// The blind transfer of a new call.
	s.send(`{"cmd":"call","number":"1001","id":"c2"}`)
	id = s.reply("c2").SIPCallID
	deadline = time.Now().Add(30 * time.Second)
	for {
		cs, ok := l.Phone().Session(id)
		if ok && cs.Status == phone.StatusEstablished && cs.CallID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second call never came up with its calld id: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.send(`{"cmd":"transfer","target":"1005","id":"x"}`)
	if r := s.reply("x"); r.OK == nil || !*r.OK {
		t.Fatalf("transfer replied %s", r.raw)
	}
	if ev := s.event("call_transferred", 2); ev.Reason != "transferred to 1005" {
		t.Fatalf("call_transferred %s", ev.raw)
	}
	if ev := s.event("call_ended", 2); !strings.Contains(ev.raw, "the call was transferred to 1005") {
		t.Fatalf("call_ended %s", ev.raw)
	}
	var recipient wazostandin.Call
	for _, c := range st.Calls().All() {
		if c.PeerCallerIDNumber == "1005" {
			recipient = c
		}
	}
	if recipient.Owner() != alice {
		t.Fatalf("the target's channel %+v is not calld's recipient", recipient)
	}
}
