package phoneaudio_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// We call sipp, which answers with a plain RTP/AVP PCMU answer and echoes
// every RTP packet back to its sender (-rtp_echo): our own tones come
// back through the classic session, the PCMU codec and the audio
// pipeline. sipp is a third, independent RTP peer, and a minimal one: no
// RTCP, no rtcp-mux, it only mirrors what it gets.
func TestClassicCallSippRTPEcho(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	engine, heard := toneEngine(t, aliceTones...)
	alice := newPhone(t, kam, "alice", engine, rtc.Config{Codecs: []string{"pcmu"}}, phone.WithMediaPath(phone.MediaRTP))
	ev := phonetest.Record(t, alice)

	mediaPort := testrig.FreePort(t, "udp")
	sipp := testrig.StartSipp(t, testrig.SippOptions{
		Scenario: "testdata/sipp_rtp_echo.xml",
		Args:     []string{"-s", "echo", "-rtp_echo", "-mi", "127.0.0.1", "-mp", strconv.Itoa(mediaPort)},
	})
	cs, err := alice.Call(ctxT(t), "sip:echo@"+sipp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	acc := ev.Next(phone.EventCallAccepted)
	if acc.Call.MediaSecurity != phone.MediaSecurityPlain {
		t.Fatalf("call media %q, want %q", acc.Call.MediaSecurity, phone.MediaSecurityPlain)
	}
	audiotest.Hear(t, "sipp's echo of our tones", heard, aliceTones, bobTones...)
	if err := alice.Hangup(ctxT(t), cs.ID()); err != nil {
		t.Fatal(err)
	}
	ev.Next(phone.EventCallEnded)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := sipp.Wait(ctx)
	if err != nil || res.Successful != 1 {
		t.Fatalf("sipp: %v, %d successful\n%s", err, res.Successful, res.Output)
	}
}
