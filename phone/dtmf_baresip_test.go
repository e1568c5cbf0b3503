package phone_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Every DTMF digit reaches baresip, a real decoder, with its length: as RFC
// 4733 events with Opus (telephone-event at 48 kHz, or whatever baresip
// accepted) and with PCMU (8 kHz), and as SIP INFO. baresip reports each
// digit as CALL_DTMF_START and CALL_DTMF_END; the time between them is the
// tone's length as baresip played it (it ends an RFC 4733 digit on its end
// packet, an INFO digit after the Duration the INFO gave).
//
// Lengths are checked as lower bounds only (a busy machine delays events,
// never hastens them); the old burst sending failed them.
func TestDTMFToBaresip(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
	tests := []struct {
		name   string
		codecs []string
		method phone.DTMFMethod
		// wantLog are lines baresip's log (with its SIP trace) must carry.
		wantLog []string
		noLog   string
	}{
		{
			name: "rfc4733 opus", method: phone.DTMFRFC4733,
			// We offer telephone-event at Opus' clock and at 8 kHz; baresip
			// 1.0 knows only the latter and answers with it.
			wantLog: []string{"a=rtpmap:110 telephone-event/48000", "a=rtpmap:101 telephone-event/8000"},
		},
		{
			name: "rfc4733 pcmu", codecs: []string{"pcmu"}, method: phone.DTMFRFC4733,
			wantLog: []string{"RTP/SAVPF 0 101", "a=rtpmap:101 telephone-event/8000"},
			noLog:   "telephone-event/48000", // no 48 kHz events without a 48 kHz codec
		},
		{
			name: "info", method: phone.DTMFInfo,
			wantLog: []string{"Content-Type: application/dtmf-relay", "Signal=A", "received DTMF: 'A' (duration=100)"},
		},
	}
	const digits = "0123456789*#ABCD"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kam := testrig.StartKamailio(t)
			bob := testrig.StartBaresip(t, testrig.BaresipOptions{
				User: "bob", Registrar: kam.UDPAddr, WebRTC: true, AutoAnswer: true,
				SIPTrace:    true,                                 // the log is checked for the SDP and INFO bodies
				ExtraConfig: []string{"jitter_buffer_delay 0-10"}, // see startWebRTCBaresip
			})
			p := newPhone(t, kam, "udp", "alice", phone.WithMedia(rtc.Config{Codecs: tc.codecs}), phone.WithDTMFMethod(tc.method))
			ev := phonetest.Record(t, p)
			ctx, cancel := context.WithTimeout(context.Background(), eventWait)
			defer cancel()

			cs, err := p.Call(ctx, "sip:bob@"+kam.UDPAddr)
			if err != nil {
				t.Fatal(err)
			}
			ev.Next(phone.EventCallAccepted)
			mustEvent(t, bob, "CALL_ESTABLISHED")
			ev.Next(phone.EventMediaConnected)

			began := time.Now()
			if err := p.SendDTMF(ctx, cs.ID(), digits); err != nil {
				t.Fatal(err)
			}
			// 16 tones of 100 ms with 70 ms pauses.
			if took, least := time.Since(began), 16*100*time.Millisecond+15*rtc.DTMFGap; took < least {
				t.Fatalf("%d digits took %v, less than their tones and pauses (%v)", len(digits), took, least)
			}
			var first, last time.Time
			var played time.Duration
			for i, want := range digits {
				start := mustEvent(t, bob, "CALL_DTMF_START")
				if start.Param != string(want) {
					t.Fatalf("digit %d: baresip got %q, want %q\n%s", i, start.Param, string(want), bob.Log())
				}
				end := mustEvent(t, bob, "CALL_DTMF_END")
				if i == 0 {
					first = start.Received
				}
				last = end.Received
				played += end.Received.Sub(start.Received)
			}
			// The events' arrival times are ours, after baresip's control
			// socket: a stall of this process can shorten one digit, so the
			// lengths are checked in total, with room for such stalls. Sent
			// as a burst (the old bug), the digits lasted half as long.
			if least := 16 * 100 * time.Millisecond * 3 / 4; played < least {
				t.Fatalf("baresip played %v of DTMF in total, want about 1.6 s (at least %v)", played, least)
			}
			if span, least := last.Sub(first), 16*100*time.Millisecond+15*rtc.DTMFGap-150*time.Millisecond; span < least {
				t.Fatalf("baresip heard the digits within %v, want at least %v", span, least)
			}
			log := bob.Log()
			for _, want := range tc.wantLog {
				if !strings.Contains(log, want) {
					t.Fatalf("baresip's log has no %q\n%s", want, log)
				}
			}
			if tc.noLog != "" && strings.Contains(log, tc.noLog) {
				t.Fatalf("baresip's log has %q\n%s", tc.noLog, log)
			}
			if err := p.Hangup(ctx, cs.ID()); err != nil {
				t.Fatal(err)
			}
			ev.Next(phone.EventCallEnded)
		})
	}
}
