package phone_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/rtpmedia"
	"github.com/parley-voip/parley/internal/sipua"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

type nopUAHandler struct{}

func (nopUAHandler) OnRegistration(sipua.RegState) {}
func (nopUAHandler) OnIncoming(_ context.Context, in *sipua.Incoming) {
	_ = in.Reject(486, "Busy Here")
}

// A call keeps its media path: a re-INVITE that asks a plain-RTP call for
// WebRTC, or a WebRTC call for plain RTP, is refused with 488 and the call
// goes on; a re-INVITE on the call's own path (a hold) is answered.
func TestReInviteNeverSwitchesMediaPath(t *testing.T) {
	testrig.Require(t, "kamailio")
	for _, tc := range []struct {
		name         string
		classicFirst bool
		wantSecurity phone.MediaSecurity
		otherIsPlain bool
	}{
		{name: "plain call, WebRTC re-offer", classicFirst: true, wantSecurity: phone.MediaSecurityPlain},
		{name: "WebRTC call, plain re-offer", wantSecurity: phone.MediaSecurityDTLSSRTP, otherIsPlain: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			p := newPhone(t, kam, "udp", "alice")
			ev := phonetest.Record(t, p)
			ua, err := sipua.New(sipua.Config{Transport: "udp", Server: kam.UDPAddr, Domain: "127.0.0.1",
				Username: "carol", Password: "x", LocalIP: "127.0.0.1"}, nopUAHandler{}, sipua.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = ua.Close(ctx)
			})
			ctx, cancel := context.WithTimeout(context.Background(), eventWait)
			defer cancel()
			if err := ua.Start(ctx); err != nil {
				t.Fatal(err)
			}

			plain, err := rtpmedia.NewSession(rtpmedia.Config{LocalIP: netip.MustParseAddr("127.0.0.1"), Codecs: []string{"pcmu"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = plain.Close() })
			webrtc, err := rtc.NewSession(rtc.Config{IncludeLoopback: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = webrtc.Close() })
			first, other := rtc.CallMedia(webrtc), rtc.CallMedia(plain)
			if tc.classicFirst {
				first, other = plain, webrtc
			}
			offer, err := first.CreateOffer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			answered := make(chan error, 1)
			go func() {
				in := ev.Next(phone.EventCallIncoming)
				answered <- p.Accept(ctx, in.Call.ID())
			}()
			dlg, err := ua.Dial(ctx, "sip:alice@"+kam.UDPAddr, offer, sipua.DialOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := <-answered; err != nil {
				t.Fatal(err)
			}
			if err := first.SetAnswer(dlg.RemoteSDP()); err != nil {
				t.Fatal(err)
			}
			acc := ev.Next(phone.EventCallAccepted)
			if acc.Call.MediaSecurity != tc.wantSecurity {
				t.Fatalf("media %q, want %q", acc.Call.MediaSecurity, tc.wantSecurity)
			}

			// The other path's offer is refused.
			otherOffer, err := other.CreateOffer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(otherOffer), "fingerprint") == tc.otherIsPlain {
				t.Fatalf("test setup: wrong offer\n%s", otherOffer)
			}
			_, err = dlg.ReInvite(ctx, otherOffer)
			var se *sipua.StatusError
			if !errors.As(err, &se) || se.Code != 488 {
				t.Fatalf("re-INVITE on the other path: %v, want 488", err)
			}
			// A hold on the call's own path still works.
			hold, err := first.Reoffer(ctx, rtc.DirectionSendOnly)
			if err != nil {
				t.Fatal(err)
			}
			a, err := dlg.ReInvite(ctx, hold)
			if err != nil {
				t.Fatalf("hold re-INVITE: %v", err)
			}
			if err := first.SetAnswer(a); err != nil {
				t.Fatal(err)
			}
			if h := ev.Next(phone.EventCallRemoteHold); !h.Call.RemoteHeld || h.Call.MediaSecurity != tc.wantSecurity {
				t.Fatalf("after the hold: %+v", h.Call)
			}
			if err := dlg.Bye(ctx); err != nil {
				t.Fatal(err)
			}
			ev.Next(phone.EventCallEnded)
		})
	}
}

// A blind transfer on a plain-RTP call: bob (baresip, plain RTP) is sent to
// carol with REFER, carol rings and answers.
func TestBlindTransferOnPlainRTPWithBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	kam := testrig.StartKamailio(t)
	plain := func(user string, autoAnswer bool) *testrig.Baresip {
		return testrig.StartBaresip(t, testrig.BaresipOptions{User: user, Registrar: kam.UDPAddr, AutoAnswer: autoAnswer})
	}
	bob, carol := plain("bob", true), plain("carol", false)
	p := newPhone(t, kam, "udp", "alice", phone.WithMediaPath(phone.MediaRTP))
	ev := phonetest.Record(t, p)
	ctx := context.Background()

	cs, err := p.Call(ctx, "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	if acc := ev.Next(phone.EventCallAccepted); acc.Call.MediaSecurity != phone.MediaSecurityPlain {
		t.Fatalf("media %q, want plain RTP", acc.Call.MediaSecurity)
	}
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

// An attended transfer on plain-RTP calls with linphone (baresip 1.0.0
// cannot be the transferee: it dials the Refer-To URI with its ?Replaces=
// part left in the request URI and To header instead of sending a Replaces
// header, and the target answers 486). alice (Parley, plain RTP) talks to
// bob, consults carol, then sends bob to carol with REFER and Replaces
// (RFC 3515, RFC 3891). carol does not auto-answer: she takes bob's INVITE
// in place of alice's call without ringing (RFC 3891 §3).
func TestAttendedTransferOnPlainRTPWithLinphone(t *testing.T) {
	testrig.Require(t, "kamailio", "linphonec")
	kam := testrig.StartKamailio(t)
	bob := testrig.StartLinphone(t, testrig.LinphoneOptions{User: "bob", Registrar: kam.UDPAddr, AutoAnswer: true})
	carol := testrig.StartLinphone(t, testrig.LinphoneOptions{User: "carol", Registrar: kam.UDPAddr})
	kam.WaitContacts(t, "bob", 1, eventWait)
	kam.WaitContacts(t, "carol", 1, eventWait)
	p := newPhone(t, kam, "udp", "alice", phone.WithMediaPath(phone.MediaRTP))
	ev := phonetest.Record(t, p)
	ctx := context.Background()
	wait := func(l *testrig.Linphone, s string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, eventWait)
		defer cancel()
		if _, err := l.Wait(wctx, s); err != nil {
			t.Fatalf("linphone: waiting for %q: %v\n%s", s, err, l.Log())
		}
	}

	first, err := p.Call(ctx, "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	if acc := ev.Next(phone.EventCallAccepted); acc.Call.MediaSecurity != phone.MediaSecurityPlain {
		t.Fatalf("media %q, want plain RTP", acc.Call.MediaSecurity)
	}
	if err := p.Hold(ctx, first.ID()); err != nil {
		t.Fatal(err)
	}
	consult, err := p.Call(ctx, "sip:carol@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	wait(carol, "Receiving new incoming call")
	carol.Command("answer")
	for {
		if acc := ev.Next(phone.EventCallAccepted); acc.Call.ID() == consult.ID() {
			break
		}
	}

	tctx, cancel := context.WithTimeout(ctx, eventWait)
	defer cancel()
	if err := p.AttendedTransfer(tctx, first.ID(), consult.ID()); err != nil {
		t.Fatalf("attended transfer: %v\nbob:\n%s\ncarol:\n%s", err, bob.Log(), carol.Log())
	}
	// Both of alice's calls end; carol may hang up the replaced
	// consultation before bob's NOTIFY reports the transfer's success.
	ended, transferred := map[string]bool{}, false
	for len(ended) < 2 || !transferred {
		e := ev.Next(phone.EventCallEnded, phone.EventCallTransferred)
		if e.Type == phone.EventCallTransferred {
			transferred = e.Call.ID() == first.ID()
			continue
		}
		ended[e.Call.ID()] = true
	}
	if !ended[first.ID()] || !ended[consult.ID()] {
		t.Fatalf("ended calls %v, want %s and %s", ended, first.ID(), consult.ID())
	}
	// carol, who answers nothing by herself, is connected with bob: her
	// phone matched the Replaces header to her call with alice, ended that
	// one and took the new INVITE in its place (a plain INVITE would ring).
	wait(carol, "Receiving new incoming call from sip:bob@")
	wait(carol, "with sip:bob@127.0.0.1 connected")
	aliceEnded := `with "Test alice" <sip:alice@127.0.0.1> ended`
	for deadline := time.Now().Add(eventWait); !strings.Contains(carol.Log(), aliceEnded); {
		if time.Now().After(deadline) {
			t.Fatalf("carol's call with alice was not replaced\n%s", carol.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wait(bob, "Media streams established with <sip:carol@")
}
