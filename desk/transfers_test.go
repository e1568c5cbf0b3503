package desk

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

const aliceUUID = "aaaaaaaa-0000-4000-8000-000000000001"

// newLine starts a stand-in with alice and signs her WebRTC line in
// through the real engine.
func newLine(t *testing.T) (*wazostandin.Stack, *wazoline.Line) {
	t.Helper()
	st := wazostandin.New()
	if _, err := st.AddUser(wazostandin.User{UUID: aliceUUID, Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Agent",
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
	l, err := wazoline.Connect(testCtx(t), url, "alice", "secret",
		wazoline.WithPinnedCertificate(wazostandin.CertificateSHA256(cert)), wazoline.WithLogger(slog.New(slog.DiscardHandler)),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(testCtx(t)) })
	return st, l
}

// TestServerSideTransfers runs calld's attended transfer through the real
// engine against the stand-in: completed, cancelled, refused by a busy
// target, refused for an unknown number. The stand-in's call model says
// who talks to whom; the service's updates say what the front ends show.
func TestServerSideTransfers(t *testing.T) {
	st, l := newLine(t)
	d := New(l)
	t.Cleanup(d.Close)
	xfers := d.Transfers()
	updates, stop := xfers.Subscribe()
	t.Cleanup(stop)
	m := st.Calls()

	// call dials the Tone Bot and returns the phone call, the agent's
	// channel and the bot's channel.
	call := func(t *testing.T) (string, string, string) {
		out, err := l.Phone().Call(testCtx(t), "1001")
		if err != nil {
			t.Fatal(err)
		}
		var cs phone.CallSession
		waitFor(t, "the call up and known to calld", func() bool {
			var ok bool
			cs, ok = l.Phone().Session(out.SIPCallID)
			return ok && cs.Status == phone.StatusEstablished && cs.CallID != "" && cs.Call != nil && len(cs.Call.TalkingTo) == 1
		})
		for bot := range cs.Call.TalkingTo {
			return out.SIPCallID, cs.CallID, bot
		}
		return "", "", ""
	}
	talksTo := func(channel string) string {
		c, ok := m.Get(channel)
		if !ok {
			return "gone"
		}
		for id := range c.TalkingTo {
			return id
		}
		return ""
	}
	// states collects the updates of transfer id until it is done.
	states := func(t *testing.T, id string) []TransferState {
		var out []TransferState
		timeout := time.After(30 * time.Second)
		for {
			select {
			case u := <-updates:
				if u.ID != id {
					continue
				}
				if u.Done {
					return out
				}
				if len(out) == 0 || out[len(out)-1] != u.State {
					out = append(out, u.State)
				}
			case <-timeout:
				t.Fatalf("transfer %s never ended; states %v", id, out)
			}
		}
	}
	hangup := func(t *testing.T, id string) {
		if err := l.Phone().Hangup(testCtx(t), id); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("attended, completed", func(t *testing.T) {
		id, mine, bot := call(t)
		tr, err := xfers.Start(testCtx(t), id, "1002", true)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Call != id || tr.Target != "1002" || !tr.Attended {
			t.Fatalf("started %+v", tr)
		}
		waitFor(t, "the agent talking to the Chord Bot", func() bool {
			cur, ok := xfers.ForCall(id)
			r, _ := m.Get(talksTo(mine))
			return ok && cur.State == TransferTalking && r.PeerCallerIDNumber == "1002" && cur.TargetName == "Chord Bot"
		})
		if c, _ := m.Get(bot); !c.OnHold || len(c.TalkingTo) != 0 {
			t.Fatalf("the caller is not waiting on hold: %+v", c)
		}
		recipient := talksTo(mine)
		if err := xfers.Complete(testCtx(t), tr.ID); err != nil {
			t.Fatal(err)
		}
		if got := states(t, tr.ID); !equalStates(got, TransferRinging, TransferTalking, TransferHandedOver) && !equalStates(got, TransferTalking, TransferHandedOver) {
			t.Errorf("states %v", got)
		}
		waitFor(t, "the agent's call ended as transferred", func() bool {
			_, live := l.Phone().Session(id)
			return !live
		})
		if got := talksTo(bot); got != recipient {
			t.Fatalf("the caller talks to %q, want the Chord Bot %q", got, recipient)
		}
		if _, ok := xfers.ForCall(id); ok {
			t.Fatal("a finished transfer is still shown")
		}
		hangupBot(t, m, bot)
	})

	t.Run("attended, cancelled: the caller is back", func(t *testing.T) {
		id, mine, bot := call(t)
		tr, err := xfers.Start(testCtx(t), id, "1002", true)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "talking to the Chord Bot", func() bool {
			cur, ok := xfers.ForCall(id)
			return ok && cur.State == TransferTalking
		})
		if err := xfers.Cancel(testCtx(t), tr.ID); err != nil {
			t.Fatal(err)
		}
		if got := states(t, tr.ID); got[len(got)-1] != TransferCancelled {
			t.Errorf("states %v", got)
		}
		waitFor(t, "the agent talking to the Tone Bot again", func() bool { return talksTo(mine) == bot })
		if cs, ok := l.Phone().Session(id); !ok || cs.Status != phone.StatusEstablished {
			t.Fatalf("the call did not survive the cancel: %+v", cs)
		}
		hangup(t, id)
	})

	t.Run("attended to a busy target: cancelled by calld", func(t *testing.T) {
		id, mine, bot := call(t)
		tr, err := xfers.Start(testCtx(t), id, "1003", true)
		if err != nil {
			t.Fatal(err)
		}
		if got := states(t, tr.ID); len(got) == 0 || got[len(got)-1] != TransferCancelled {
			t.Errorf("states %v", got)
		}
		waitFor(t, "the agent talking to the Tone Bot again", func() bool { return talksTo(mine) == bot })
		hangup(t, id)
	})

	t.Run("unknown number: refused in words, nothing changes", func(t *testing.T) {
		id, mine, bot := call(t)
		_, err := xfers.Start(testCtx(t), id, "4242", true)
		if !errors.Is(err, wazo.ErrInvalidExtension) || !errors.Is(err, ErrTransferTarget) || !strings.Contains(err.Error(), "cannot be reached") {
			t.Fatalf("err = %v", err)
		}
		if talksTo(mine) != bot {
			t.Fatal("the refused transfer moved the call")
		}
		if _, err := xfers.Start(testCtx(t), "nope", "1002", true); !errors.Is(err, phone.ErrNoSuchCall) {
			t.Fatalf("unknown call: %v", err)
		}
		if err := xfers.Complete(testCtx(t), "nope"); !errors.Is(err, wazo.ErrNoSuchTransfer) {
			t.Fatalf("complete unknown: %v", err)
		}
		hangup(t, id)
	})
}

func equalStates(got []TransferState, want ...TransferState) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// hangupBot ends the bots' call left after a completed transfer.
func hangupBot(t *testing.T, m *wazostandin.CallModel, bot string) {
	t.Helper()
	if err := m.Hangup(bot, 16); err != nil && !errors.Is(err, wazostandin.ErrNoSuchChannel) {
		t.Fatal(err)
	}
}

// TestTransferEventsBeforeThePOSTAnswer: calld's events can reach the
// line before the answer to the POST that created the transfer (a busy
// target cancels at once; seen on a loaded machine). They still carry the
// number dialled, so the window can say who did not take the call.
func TestTransferEventsBeforeThePOSTAnswer(t *testing.T) {
	_, l := newLine(t)
	d := New(l)
	t.Cleanup(d.Close)
	xfers := d.Transfers()
	updates, stop := xfers.Subscribe()
	t.Cleanup(stop)
	recipient := "1700000000.2"
	xfers.mu.Lock()
	xfers.dialling["1700000000.1"] = "1003"
	xfers.mu.Unlock()
	for _, step := range []struct {
		event  string
		status string
	}{
		{"transfer_created", wazo.TransferStatusStarting},
		{"transfer_cancelled", wazo.TransferStatusStarting},
	} {
		xfers.update(wazo.Transfer{ID: "tr-1", InitiatorCall: "1700000000.1", RecipientCall: &recipient, Status: step.status, Flow: wazo.TransferAttended}, step.event, nil)
		select {
		case tr := <-updates:
			if tr.Target != "1003" {
				t.Fatalf("%s published target %q, want the number dialled", step.event, tr.Target)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s published nothing", step.event)
		}
	}
}
