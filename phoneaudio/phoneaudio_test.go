package phoneaudio_test

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/phoneaudio"
)

// Two phones, each with an audio engine on a null device whose microphone
// plays a two-tone chord, call each other through kamailio. Each must hear
// the other's chord at a speech level and not its own: audio went through
// capture, encode, pion (ICE + DTLS-SRTP), jitter buffer, decode and mix.
// The local tones (ringback for alice, ringtone for bob) must be gone once
// the call is up.
func TestTwoEnginesExchangeTones(t *testing.T) {
	testrig.Require(t, "kamailio")
	for _, tc := range []struct {
		name   string
		codecs []string
	}{
		{"opus", nil},
		{"pcmu", []string{"pcmu"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			media := rtc.Config{IncludeLoopback: true, Codecs: tc.codecs}
			ae, arec := toneEngine(t, aliceTones...)
			be, brec := toneEngine(t, bobTones...)
			alice := newPhone(t, kam, "alice", ae, media)
			bob := newPhone(t, kam, "bob", be, media)
			t.Cleanup(phoneaudio.Attach(ctxT(t), alice, ae))
			t.Cleanup(phoneaudio.Attach(ctxT(t), bob, be))
			aev, bev := phonetest.Record(t, alice), phonetest.Record(t, bob)

			if _, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr); err != nil {
				t.Fatal(err)
			}
			in := bev.Next(phone.EventCallIncoming)
			if err := bob.Accept(ctxT(t), in.Call.ID()); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventMediaConnected)
			bev.Next(phone.EventMediaConnected)

			// Ringback (425 Hz) and ringtone (1000 + 1250 Hz) must be off.
			audiotest.Hear(t, "alice hears bob", arec, bobTones, append(aliceTones, 425)...)
			audiotest.Hear(t, "bob hears alice", brec, aliceTones, append(bobTones, 1000)...)
			if cs, ok := alice.ActiveCall(); !ok || cs.SIPCallID == "" {
				t.Fatalf("alice has no active call")
			}
		})
	}
}

// Mute sends silence but keeps packets (and so call-quality figures)
// flowing; hold stops audio both ways; resume brings it back.
func TestPhoneMuteAndHold(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true}
	ae, arec := toneEngine(t, aliceTones...)
	be, brec := toneEngine(t, bobTones...)
	alice := newPhone(t, kam, "alice", ae, media)
	bob := newPhone(t, kam, "bob", be, media, phone.WithQualityInterval(200*time.Millisecond))
	aev, bev := phonetest.Record(t, alice), phonetest.Record(t, bob)

	cs, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	in := bev.Next(phone.EventCallIncoming)
	if err := bob.Accept(ctxT(t), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventMediaConnected)
	audiotest.Hear(t, "bob hears alice", brec, aliceTones, bobTones...)

	// Mute.
	if err := alice.Mute(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallMuted)
	audiotest.Quiet(t, "bob while alice is muted", brec)
	audiotest.Hear(t, "alice hears bob while muted", arec, bobTones, aliceTones...)
	q1 := bev.Next(phone.EventCallQuality).Quality.PacketsReceived
	var q2 uint64
	audiotest.WaitFor(t, eventWait, "bob to keep receiving packets while alice is muted", func() bool {
		q2 = bev.Next(phone.EventCallQuality).Quality.PacketsReceived
		return q2 >= q1+10
	})
	if err := alice.Unmute(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	audiotest.Hear(t, "bob after unmute", brec, aliceTones, bobTones...)

	// Hold.
	if err := alice.Hold(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallHeld)
	audiotest.Quiet(t, "alice while holding", arec)
	audiotest.Quiet(t, "bob while held", brec)
	if err := alice.Resume(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventCallResumed)
	audiotest.Hear(t, "alice after resume", arec, bobTones, aliceTones...)
	audiotest.Hear(t, "bob after resume", brec, aliceTones, bobTones...)
}

// The callee's ringer sounds while the call rings; the caller hears ringback
// after 180 Ringing; when the callee answers 486 Busy Here the caller hears a
// short busy tone, and both devices are released afterwards.
func TestProgressTones(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true}
	ae, arec := toneEngine(t)
	be, brec := toneEngine(t)
	alice := newPhone(t, kam, "alice", ae, media)
	bob := newPhone(t, kam, "bob", be, media, phone.WithRejectCode(486, "Busy Here"))
	// North American tones tell ringback (440 + 480 Hz) from busy (480 + 620 Hz).
	t.Cleanup(phoneaudio.Attach(ctxT(t), alice, ae, phoneaudio.WithRegion(dsp.RegionNA)))
	t.Cleanup(phoneaudio.Attach(ctxT(t), bob, be))
	aev, bev := phonetest.Record(t, alice), phonetest.Record(t, bob)

	if _, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr); err != nil {
		t.Fatal(err)
	}
	in := bev.Next(phone.EventCallIncoming)
	audiotest.HearTone(t, "bob's ringer", brec, []float64{1000, 1250})
	if p := aev.Next(phone.EventCallProgress); p.Code != 180 {
		t.Fatalf("progress %d, want 180", p.Code)
	}
	audiotest.HearTone(t, "alice's ringback", arec, []float64{440, 480})

	if err := bob.Reject(ctxT(t), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	if f := aev.Next(phone.EventCallFailed); f.Code != 486 {
		t.Fatalf("failed with %d, want 486", f.Code)
	}
	audiotest.HearTone(t, "alice's busy tone", arec, []float64{480, 620})
	audiotest.WaitFor(t, eventWait, "bob's device to close after ringing", func() bool { return !be.DeviceOpen() })
	audiotest.WaitFor(t, eventWait, "alice's device to close after the busy tone", func() bool { return !ae.DeviceOpen() })
}

// A line that was registered and goes down sounds the line-down alert.
func TestLineDownAlert(t *testing.T) {
	e, rec := toneEngine(t)
	eng := phonetest.New()
	t.Cleanup(eng.Close)
	t.Cleanup(phoneaudio.Attach(ctxT(t), eng, e))
	eng.SetRegistration(phone.Registration{State: phone.RegFailed, Reason: "no route"})
	eng.SetRegistration(phone.Registration{State: phone.RegRegistered})
	eng.SetRegistration(phone.Registration{State: phone.RegFailed, Reason: "lost contact with the sip server"})
	audiotest.HearTone(t, "the line-down alert", rec, []float64{988})
	audiotest.WaitFor(t, eventWait, "the alert to end and the device to close", func() bool { return !e.DeviceOpen() })
}
