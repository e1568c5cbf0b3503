package phone_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// baresipWait bounds waits for baresip's own events.
const baresipWait = 20 * time.Second

func bctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), baresipWait)
	t.Cleanup(cancel)
	return ctx
}

// startWebRTCBaresip registers a baresip with the WebRTC profile (ICE,
// DTLS-SRTP, rtcp-mux, Opus) at kamailio.
//
// Its jitter buffer releases packets at once (jitter_buffer_delay 0-10
// frames instead of 5-10): these phones run without an audio backend, so the
// only RTP they send is RFC 4733 DTMF, and baresip's jitter buffer holds the
// last 5 packets until newer RTP pushes them out. "1#" then shows up in
// baresip as "1" only, the "#" events waiting for packets that never come.
// In a real call the 20 ms audio frames flush the buffer within 100 ms, so
// this is a test-rig setting, not something baresip users need.
func startWebRTCBaresip(t *testing.T, kam *testrig.Kamailio, user string, autoAnswer bool) *testrig.Baresip {
	t.Helper()
	return testrig.StartBaresip(t, testrig.BaresipOptions{
		User: user, Registrar: kam.UDPAddr, WebRTC: true, AutoAnswer: autoAnswer,
		SIPTrace:    os.Getenv("PARLEY_TEST_LOG") != "",
		ExtraConfig: []string{"jitter_buffer_delay 0-10"},
	})
}

func mustEvent(t *testing.T, b *testrig.Baresip, typ string) testrig.BaresipEvent {
	t.Helper()
	ev, err := b.WaitEvent(bctx(t), typ)
	if err != nil {
		t.Fatalf("baresip %s: %v\n%s", typ, err, b.Log())
	}
	return ev
}

// We call baresip: the call establishes with ICE and DTLS-SRTP, and RTP
// from baresip reaches us. Audio content is checked in the audio package.
func TestCallToBaresipEstablishesWebRTCMedia(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startWebRTCBaresip(t, kam, "bob", true)
	p := newPhone(t, kam, "udp", "alice", webrtcWithBaresip(), phone.WithQualityInterval(500*time.Millisecond))
	ev := phonetest.Record(t, p)

	cs, err := p.Call(context.Background(), "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallAccepted)
	mustEvent(t, bob, "CALL_ESTABLISHED")
	ev.Next(phone.EventMediaConnected)
	for {
		q := ev.Next(phone.EventCallQuality)
		if q.Quality.PacketsReceived > 0 {
			break
		}
	}
	if err := p.Hangup(context.Background(), cs.ID()); err != nil {
		t.Fatal(err)
	}
	end := ev.Next(phone.EventCallEnded)
	if end.Quality == nil || end.Quality.PacketsReceived == 0 || end.Quality.MOS < 1 {
		t.Fatalf("call_ended carries no quality summary: %+v", end.Quality)
	}
	mustEvent(t, bob, "CALL_CLOSED")
}

// baresip calls us; we accept; baresip hangs up.
func TestCallFromBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startWebRTCBaresip(t, kam, "bob", false)
	p := newPhone(t, kam, "udp", "alice", webrtcWithBaresip())
	ev := phonetest.Record(t, p)

	if _, err := bob.Command(bctx(t), "dial", "sip:alice@"+kam.UDPAddr); err != nil {
		t.Fatal(err)
	}
	in := ev.Next(phone.EventCallIncoming)
	if in.Call.Number != "bob" && !strings.HasPrefix(in.Call.Number, "bob") {
		t.Fatalf("caller number %q, want bob", in.Call.Number)
	}
	if err := p.Accept(context.Background(), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	mustEvent(t, bob, "CALL_ESTABLISHED")
	ev.Next(phone.EventMediaConnected)
	if _, err := bob.Command(bctx(t), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	end := ev.Next(phone.EventCallEnded)
	if end.Reason != "the other party hung up" {
		t.Fatalf("reason %q", end.Reason)
	}
}

// Hold and resume from our side with re-INVITEs that baresip accepts, DTMF
// in the media that baresip decodes, then a second incoming call: accepting
// it holds the first.
func TestHoldDTMFAndSecondCallWithBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startWebRTCBaresip(t, kam, "bob", true)
	carol := startWebRTCBaresip(t, kam, "carol", false)
	p := newPhone(t, kam, "udp", "alice", webrtcWithBaresip())
	ev := phonetest.Record(t, p)
	ctx := context.Background()

	first, err := p.Call(ctx, "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallAccepted)
	ev.Next(phone.EventMediaConnected)

	if err := p.SendDTMF(ctx, first.ID(), "1#"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1", "#"} {
		d := mustEvent(t, bob, "CALL_DTMF_START")
		if d.Param != want {
			t.Fatalf("baresip got DTMF %q, want %q", d.Param, want)
		}
	}

	if err := p.Hold(ctx, first.ID()); err != nil {
		t.Fatal(err)
	}
	held := ev.Next(phone.EventCallHeld)
	if !held.Call.Paused || held.Call.Status != phone.StatusHeld {
		t.Fatalf("not held: %+v", held.Call)
	}
	if err := p.Resume(ctx, first.ID()); err != nil {
		t.Fatal(err)
	}
	if r := ev.Next(phone.EventCallResumed); r.Call.Paused {
		t.Fatal("still paused after resume")
	}

	if _, err := carol.Command(bctx(t), "dial", "sip:alice@"+kam.UDPAddr); err != nil {
		t.Fatal(err)
	}
	in := ev.Next(phone.EventCallIncoming)
	if err := p.Accept(ctx, in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	if h := ev.Next(phone.EventCallHeld); h.Call.ID() != first.ID() {
		t.Fatalf("accepting the second call held %s, want the first", h.Call.ID())
	}
	if acc := ev.Next(phone.EventCallAccepted); acc.Call.ID() != in.Call.ID() {
		t.Fatalf("accepted %s", acc.Call.ID())
	}
	if active, _ := p.ActiveCall(); active.ID() != in.Call.ID() {
		t.Fatalf("active call is %s, want the second call", active.ID())
	}
	if n := len(p.Calls()); n != 2 {
		t.Fatalf("%d calls, want 2 (one held, one active)", n)
	}
}

// A blind transfer: bob, on hold, is sent to carol with REFER; baresip
// follows it, carol rings and answers.
//
// Transfer returns on the final NOTIFY (RFC 3515 §2.4.5), which baresip sends
// only once the new call is answered or has failed, so carol answers while
// Transfer waits. (Waiting for Transfer first only passed because baresip's
// call to carol ended after 60 s and bob then hung up on us.)
func TestBlindTransferWithBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	bob := startWebRTCBaresip(t, kam, "bob", true)
	carol := startWebRTCBaresip(t, kam, "carol", false)
	p := newPhone(t, kam, "udp", "alice", webrtcWithBaresip())
	ev := phonetest.Record(t, p)
	ctx := context.Background()

	cs, err := p.Call(ctx, "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallAccepted)
	mustEvent(t, bob, "CALL_ESTABLISHED")
	transferred := make(chan error, 1)
	go func() {
		tctx, cancel := context.WithTimeout(ctx, baresipWait)
		defer cancel()
		transferred <- p.Transfer(tctx, cs.ID(), "sip:carol@"+kam.UDPAddr)
	}()
	inc := mustEvent(t, carol, "CALL_INCOMING")
	if !strings.Contains(inc.PeerURI, "bob") {
		t.Fatalf("carol is called by %q, want bob", inc.PeerURI)
	}
	if _, err := carol.Command(bctx(t), "accept", ""); err != nil {
		t.Fatal(err)
	}
	if err := <-transferred; err != nil {
		t.Fatalf("transfer: %v\n%s", err, bob.Log())
	}
	ev.Next(phone.EventCallTransferred)
	ev.Next(phone.EventCallEnded)
	mustEvent(t, carol, "CALL_ESTABLISHED")
}

// webrtcWithBaresip keeps our ICE candidates off the loopback interface.
// baresip's host candidates are the machine's non-loopback addresses, but its
// media socket is bound to 0.0.0.0, so whatever it sends towards our
// 127.0.0.1 candidate leaves from 127.0.0.1, not from the candidate address:
// its answers to our checks fail pion's RFC 8445 §7.2.5.2.1 symmetry check,
// and, as the controlled agent, baresip 1.0 may select its own
// (192.0.2.2 → 127.0.0.1) pair instead of the one we nominated, then refuse
// our DTLS packets from the nominated path ("dtls already accepted"). The
// call fails in about one run of five. Loopback candidates are a test-only
// setting (rtc.Config.IncludeLoopback), so real calls are not affected.
func webrtcWithBaresip() phone.Option {
	return phone.WithMedia(rtc.Config{IncludeLoopback: false})
}
