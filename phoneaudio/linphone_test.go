package phoneaudio_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Classic SIP calls with linphonec (liblinphone: belle-sip and
// mediastreamer2, a SIP and media stack independent of baresip's) through
// kamailio, plain RTP and SDES-SRTP, both ways: we hear its tone, its
// recording has ours.
func TestClassicCallsWithLinphone(t *testing.T) {
	testrig.Require(t, "kamailio", "linphonec")
	for _, tc := range []struct {
		name     string
		srtp     string
		path     phone.MediaPath
		incoming bool
		want     phone.MediaSecurity
	}{
		{name: "plain to linphone", path: phone.MediaRTP, want: phone.MediaSecurityPlain},
		{name: "plain from linphone", incoming: true, want: phone.MediaSecurityPlain},
		{name: "SRTP to linphone", srtp: "srtp", path: phone.MediaSRTP, want: phone.MediaSecuritySRTP},
		{name: "SRTP from linphone", srtp: "srtp", path: phone.MediaSRTP, incoming: true, want: phone.MediaSecuritySRTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			dir := t.TempDir()
			src, rec := filepath.Join(dir, "play.wav"), filepath.Join(dir, "heard.wav")
			if err := testrig.WriteWAV(src, testrig.Tone(8000, classicBobTone, 0.3, 40)); err != nil {
				t.Fatal(err)
			}
			lin := testrig.StartLinphone(t, testrig.LinphoneOptions{User: "lin", Registrar: kam.UDPAddr,
				AutoAnswer: true, PlayWAV: src, RecordWAV: rec, SRTP: tc.srtp})
			kam.WaitContacts(t, "lin", 1, eventWait)
			ae, arec := toneEngine(t, aliceTones...)
			alice := newPhone(t, kam, "alice", ae, rtc.Config{Codecs: []string{"pcmu"}}, phone.WithMediaPath(tc.path))
			aev := phonetest.Record(t, alice)
			var id string
			if tc.incoming {
				lin.Command("call sip:alice@" + kam.UDPAddr)
				in := aev.Next(phone.EventCallIncoming)
				if err := alice.Accept(ctxT(t), in.Call.ID()); err != nil {
					t.Fatal(err)
				}
				id = in.Call.ID()
			} else {
				cs, err := alice.Call(ctxT(t), "sip:lin@"+kam.UDPAddr)
				if err != nil {
					t.Fatal(err)
				}
				id = cs.ID()
			}
			acc := aev.Next(phone.EventCallAccepted)
			if acc.Call.MediaSecurity != tc.want {
				t.Fatalf("media %q, want %q", acc.Call.MediaSecurity, tc.want)
			}
			audiotest.Hear(t, "we hear linphone", arec, []float64{classicBobTone}, aliceTones...)
			time.Sleep(3 * time.Second) // linphone records us
			if err := alice.Hangup(ctxT(t), id); err != nil {
				t.Fatal(err)
			}
			aev.Next(phone.EventCallEnded)
			if _, err := lin.Wait(ctxT(t), "ended"); err != nil {
				t.Fatalf("%v\n%s", err, lin.Log())
			}
			var w testrig.WAV
			audiotest.WaitFor(t, eventWait, "linphone's recording", func() bool {
				var err error
				w, err = testrig.ReadWAV(rec)
				return err == nil && len(w.Samples) > w.Rate
			})
			mono := firstChannel(w)
			t.Logf("linphone recorded %.1f s at %d Hz", float64(len(mono))/float64(w.Rate), w.Rate)
			last := "no audio"
			for at := 0; at+w.Rate/2 <= len(mono); at += w.Rate / 4 {
				rep := dsp.CheckTones(mono[at:at+w.Rate/2], dsp.ToneCheck{Rate: w.Rate, Expected: aliceTones, MinDBFS: -30, UnexpectedDBFS: -26})
				if last = rep.String(); rep.OK() {
					return
				}
			}
			t.Errorf("linphone did not hear our tones: %s", last)
		})
	}
}
