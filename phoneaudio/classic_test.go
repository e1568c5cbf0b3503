package phoneaudio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/phoneaudio"
)

// Two Parley phones on the classic path (plain RTP, then SDES-SRTP):
// each hears the other, mute silences only the microphone, hold and
// resume stop and restart audio both ways, and call_quality reports the
// stream (no SRTP authentication failures).
func TestClassicPhonesMuteHoldResume(t *testing.T) {
	testrig.Require(t, "kamailio")
	for _, tc := range []struct {
		path phone.MediaPath
		want phone.MediaSecurity
	}{
		{phone.MediaRTP, phone.MediaSecurityPlain},
		{phone.MediaSRTP, phone.MediaSecuritySRTP},
	} {
		t.Run(tc.path.String(), func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			media := rtc.Config{Codecs: []string{"pcmu"}}
			ae, arec := toneEngine(t, aliceTones...)
			be, brec := toneEngine(t, bobTones...)
			alice := newPhone(t, kam, "alice", ae, media, phone.WithMediaPath(tc.path))
			// bob's own setting is WebRTC: answering follows the offer.
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
			acc := aev.Next(phone.EventCallAccepted)
			if acc.Call.MediaSecurity != tc.want {
				t.Fatalf("alice's call media %q, want %q", acc.Call.MediaSecurity, tc.want)
			}
			if s, _ := bob.Session(in.Call.ID()); s.MediaSecurity != tc.want {
				t.Fatalf("bob's call media %q, want %q", s.MediaSecurity, tc.want)
			}
			aev.Next(phone.EventMediaConnected)
			audiotest.Hear(t, "bob hears alice", brec, aliceTones, bobTones...)
			audiotest.Hear(t, "alice hears bob", arec, bobTones, aliceTones...)

			if err := alice.Mute(ctxT(t), cs.ID()); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventCallMuted)
			audiotest.Quiet(t, "bob while alice is muted", brec)
			audiotest.Hear(t, "alice hears bob while muted", arec, bobTones, aliceTones...)
			if err := alice.Unmute(ctxT(t), cs.ID()); err != nil {
				t.Fatal(err)
			}
			audiotest.Hear(t, "bob after unmute", brec, aliceTones, bobTones...)

			if err := alice.Hold(ctxT(t), cs.ID()); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventCallHeld)
			bev.Next(phone.EventCallRemoteHold)
			audiotest.Quiet(t, "alice while holding", arec)
			audiotest.Quiet(t, "bob while held", brec)
			if err := alice.Resume(ctxT(t), cs.ID()); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventCallResumed)
			audiotest.Hear(t, "alice after resume", arec, bobTones, aliceTones...)
			audiotest.Hear(t, "bob after resume", brec, aliceTones, bobTones...)

			q := qualityWhere(t, bev, func(q *phone.Quality) bool { return q.PacketsReceived > 50 })
			if q.SRTPAuthFailures != 0 || q.MOS < 3 {
				t.Errorf("bob's quality %+v", q)
			}
			if err := alice.Hangup(ctxT(t), cs.ID()); err != nil {
				t.Fatal(err)
			}
			bev.Next(phone.EventCallEnded)
		})
	}
}

// classicBaresip is baresip registered at kamailio with classic SIP media:
// plain RTP, or its srtp module (mediaenc srtp-mand: RTP/SAVP), playing
// bobTone from a WAV and recording what it hears.
func classicBaresip(t *testing.T, kam *testrig.Kamailio, mediaenc string, codecs ...string) *testrig.Baresip {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "source.wav")
	if err := testrig.WriteWAV(src, testrig.Tone(48000, classicBobTone, 0.3, 40)); err != nil {
		t.Fatal(err)
	}
	o := testrig.BaresipOptions{
		User: "bob", Registrar: kam.UDPAddr, AutoAnswer: true,
		SourceWAV: src, RecordWAV: filepath.Join(dir, "heard.wav"), Codecs: codecs,
		SIPTrace: os.Getenv("PARLEY_TEST_LOG") != "",
		// See phone/baresip_test.go: release DTMF packets at once.
		ExtraConfig: []string{"jitter_buffer_delay 0-10"},
	}
	if mediaenc != "" {
		o.ExtraConfig = append(o.ExtraConfig, "module srtp.so")
		o.AccountParams = ";mediaenc=" + mediaenc
	}
	return testrig.StartBaresip(t, o)
}

const classicBobTone = 1000

func waitBaresip(t *testing.T, b *testrig.Baresip, typ string) testrig.BaresipEvent {
	t.Helper()
	ev, err := b.WaitEvent(ctxT(t), typ)
	if err != nil {
		t.Fatalf("baresip %s: %v\n%s", typ, err, b.Log())
	}
	return ev
}

// baresipHeard checks baresip's recording for our tones at level, in some
// clean half-second.
func baresipHeard(t *testing.T, b *testrig.Baresip, want []float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	path, err := b.SaveRecording(ctx)
	if err != nil {
		t.Fatalf("baresip recording: %v\n%s", err, b.Log())
	}
	w, err := testrig.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	mono := firstChannel(w)
	t.Logf("baresip recorded %.1f s", float64(len(mono))/float64(w.Rate))
	if len(mono) < 2*w.Rate {
		t.Fatalf("baresip recorded only %d samples", len(mono))
	}
	x := mono[w.Rate/2 : len(mono)-w.Rate/4]
	problem := func(x []int16) string {
		rep := dsp.CheckTones(x, dsp.ToneCheck{Rate: w.Rate, Expected: want, MinDBFS: -30, UnexpectedDBFS: -26})
		if !rep.OK() {
			return rep.String()
		}
		if l := dsp.TonedBFS(x, w.Rate, classicBobTone); l > -45 {
			return fmt.Sprintf("its own %d Hz at %.1f dBFS", classicBobTone, l)
		}
		return ""
	}
	last := "no audio"
	for at := 0; at+w.Rate/2 <= len(x); at += w.Rate / 4 {
		if last = problem(x[at : at+w.Rate/2]); last == "" {
			return
		}
	}
	t.Errorf("baresip did not hear our tones: %s", last)
}

// Classic calls with baresip through kamailio, driven through phone.API:
// PCMU and G.722 both ways, SDES-SRTP both ways. Each side hears the
// other (frequency and level); on the calls we place, baresip decodes our
// DTMF, its digit reaches us once, and hold and resume work.
func TestClassicCallsWithBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	for _, tc := range []struct {
		name     string
		path     phone.MediaPath
		mediaenc string   // baresip's
		codecs   []string // ours
		modules  []string // baresip's codec modules
		incoming bool
		want     phone.MediaSecurity
		codec    string
		tones    []float64 // ours
	}{
		{name: "plain PCMU to baresip", path: phone.MediaRTP, codecs: []string{"pcmu"}, want: phone.MediaSecurityPlain, codec: codec.NamePCMU, tones: aliceTones},
		{name: "plain PCMU from baresip", codecs: []string{"pcmu"}, incoming: true, want: phone.MediaSecurityPlain, codec: codec.NamePCMU, tones: aliceTones},
		{name: "plain G.722 to baresip", path: phone.MediaRTP, codecs: []string{"g722"}, modules: []string{"g722.so"}, want: phone.MediaSecurityPlain, codec: codec.NameG722, tones: []float64{1250, 6000}},
		{name: "plain G.722 from baresip", codecs: []string{"g722"}, modules: []string{"g722.so"}, incoming: true, want: phone.MediaSecurityPlain, codec: codec.NameG722, tones: []float64{1250, 6000}},
		{name: "SRTP to baresip", path: phone.MediaSRTP, mediaenc: "srtp-mand", codecs: []string{"pcmu"}, want: phone.MediaSecuritySRTP, codec: codec.NamePCMU, tones: aliceTones},
		{name: "SRTP from baresip", path: phone.MediaSRTP, mediaenc: "srtp-mand", codecs: []string{"pcma"}, incoming: true, want: phone.MediaSecuritySRTP, codec: codec.NamePCMA, tones: aliceTones},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			bob := classicBaresip(t, kam, tc.mediaenc, tc.modules...)
			ae, arec := toneEngine(t, tc.tones...)
			spy := &codecSpy{AudioBackend: phoneaudio.New(ae)}
			alice := newPhone(t, kam, "alice", ae, rtc.Config{Codecs: tc.codecs},
				phone.WithMediaPath(tc.path), phone.WithAudio(spy), phone.WithQualityInterval(500*time.Millisecond))
			aev := phonetest.Record(t, alice)

			var id string
			if tc.incoming {
				if _, err := bob.Command(ctxT(t), "dial", "sip:alice@"+kam.UDPAddr); err != nil {
					t.Fatal(err)
				}
				in := aev.Next(phone.EventCallIncoming)
				if err := alice.Accept(ctxT(t), in.Call.ID()); err != nil {
					t.Fatal(err)
				}
				id = in.Call.ID()
			} else {
				cs, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr)
				if err != nil {
					t.Fatal(err)
				}
				id = cs.ID()
			}
			acc := aev.Next(phone.EventCallAccepted)
			if acc.Call.MediaSecurity != tc.want {
				t.Fatalf("media %q, want %q", acc.Call.MediaSecurity, tc.want)
			}
			if ev := aev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
				t.Fatalf("media failed: %s\n%s", ev.Reason, bob.Log())
			}
			waitBaresip(t, bob, "CALL_ESTABLISHED")
			audiotest.Hear(t, "we hear baresip", arec, []float64{classicBobTone}, tc.tones...)
			if c := spy.codec(); !c.Is(tc.codec) { // the audio is open: we hear it
				t.Fatalf("negotiated %+v, want %s", c, tc.codec)
			}

			if !tc.incoming {
				if err := alice.SendDTMF(ctxT(t), id, "1#"); err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{"1", "#"} {
					if d := waitBaresip(t, bob, "CALL_DTMF_START"); d.Param != want {
						t.Fatalf("baresip decoded DTMF %q, want %q", d.Param, want)
					}
				}
				if _, err := bob.Command(ctxT(t), "sndcode", "9"); err != nil {
					t.Fatal(err)
				}
				if d := aev.Next(phone.EventDTMFReceived); d.Digit != "9" {
					t.Fatalf("we decoded %q, want 9", d.Digit)
				}
				// baresip records us before the hold: its sndfile
				// recording does not carry on after a re-INVITE, so what
				// it hears after the resume is checked by DTMF below.
				time.Sleep(3 * time.Second)
				if err := alice.Hold(ctxT(t), id); err != nil {
					t.Fatal(err)
				}
				aev.Next(phone.EventCallHeld)
				audiotest.Quiet(t, "we, holding baresip", arec)
				if err := alice.Resume(ctxT(t), id); err != nil {
					t.Fatal(err)
				}
				aev.Next(phone.EventCallResumed)
				audiotest.Hear(t, "we hear baresip after resume", arec, []float64{classicBobTone}, tc.tones...)
				if err := alice.SendDTMF(ctxT(t), id, "5"); err != nil {
					t.Fatal(err)
				}
				if d := waitBaresip(t, bob, "CALL_DTMF_START"); d.Param != "5" {
					t.Fatalf("baresip decoded DTMF %q after the resume, want 5", d.Param)
				}
			} else {
				time.Sleep(3 * time.Second) // let baresip record us (2 s are judged)
			}
			q := qualityWhere(t, aev, func(q *phone.Quality) bool { return q.PacketsReceived > 0 })
			t.Logf("quality %+v", q)
			if q.SRTPAuthFailures != 0 {
				t.Errorf("quality %+v", q)
			}
			if err := alice.Hangup(ctxT(t), id); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventCallEnded)
			waitBaresip(t, bob, "CALL_CLOSED")
			baresipHeard(t, bob, tc.tones)
		})
	}
}

// TestLocalConferenceMixedPathsRealTime: a local conference on the host
// mixes one WebRTC leg and two plain-RTP legs (one of them SDES-SRTP). The
// parties call the host, which answers each on the path its offer asks
// for; every party hears the host and the two others, never itself, and
// the host hears all three.
func TestLocalConferenceMixedPathsRealTime(t *testing.T) {
	testrig.RealTime(t)
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true, Codecs: []string{"opus", "pcmu"}}
	const hostTone = 440
	he, hrec := quietToneEngine(t, hostTone)
	host := newPhone(t, kam, "host", he, media)
	hev := phonetest.Record(t, host)
	var parties []*confParty
	for i, pc := range []struct {
		name string
		path phone.MediaPath
		want phone.MediaSecurity
	}{
		{"webrtc", phone.MediaWebRTC, phone.MediaSecurityDTLSSRTP},
		{"plain", phone.MediaRTP, phone.MediaSecurityPlain},
		{"sdes", phone.MediaSRTP, phone.MediaSecuritySRTP},
	} {
		tone := []float64{620, 1030, 1510}[i]
		e, rec := quietToneEngine(t, tone)
		p := &confParty{name: pc.name, tone: tone, rec: rec, p: newPhone(t, kam, pc.name, e, media, phone.WithMediaPath(pc.path))}
		p.ev = phonetest.Record(t, p.p)
		if _, err := p.p.Call(ctxT(t), "sip:host@"+kam.UDPAddr); err != nil {
			t.Fatal(err)
		}
		in := hev.Next(phone.EventCallIncoming)
		if err := host.Accept(ctxT(t), in.Call.ID()); err != nil {
			t.Fatal(err)
		}
		if acc := hev.Next(phone.EventCallAccepted); acc.Call.MediaSecurity != pc.want {
			t.Fatalf("%s's leg: %q, want %q", pc.name, acc.Call.MediaSecurity, pc.want)
		}
		if ev := hev.Next(phone.EventMediaConnected, phone.EventMediaFailed); ev.Type != phone.EventMediaConnected {
			t.Fatalf("media with %s failed: %s", pc.name, ev.Reason)
		}
		p.sip = in.Call.ID()
		parties = append(parties, p)
	}
	conf, err := conference.NewLocal(host, he)
	if err != nil {
		t.Fatal(err)
	}
	defer conf.Close()
	ss := sessionsOf(t, host, parties...)
	last := len(ss) - 1 // the active call
	c, err := conf.Start(ctxT(t), ss[last], ss[:last])
	if err != nil {
		t.Fatal(err)
	}
	var all []float64
	for _, p := range parties {
		all = append(all, p.tone)
	}
	audiotest.Hear(t, "host", hrec, all, hostTone)
	for _, p := range parties {
		want := []float64{hostTone}
		for _, o := range parties {
			if o != p {
				want = append(want, o.tone)
			}
		}
		audiotest.Hear(t, p.name, p.rec, want, p.tone)
	}
	if err := c.Hangup(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	audiotest.WaitFor(t, eventWait, "the host to have no calls", func() bool { return len(host.Calls()) == 0 })
}
