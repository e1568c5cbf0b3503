package phone_test

import (
	"context"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// Early media is reported apart from ringing: a 180 without SDP is
// call_progress with the call ringing; the 183 with SDP adds
// call_early_media (Call.EarlyMedia set, not answered); the 200 is
// call_accepted with EarlyMedia cleared. A 183 that requires 100rel, which
// we do not advertise, is still played (docs/sip.md, Early media).
// That the early audio is heard is checked in phoneaudio
// (TestEarlyMediaHeardBeforeAnswer): sipp has no DTLS-SRTP.
func TestOutgoingEarlyMediaEvents(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	for _, tt := range []struct{ name, headers string }{
		{"183 with SDP", ""},
		{"183 requiring 100rel", "Require: 100rel\nRSeq: 1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPhone(t, kam, "udp", "alice")
			ev := phonetest.Record(t, p)
			sc := scenarioWith(t, "uas_early_media.xml", "[early-headers]\n", tt.headers)
			sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: sc, Args: []string{"-s", "bob"}})
			cs, err := p.Call(context.Background(), "sip:bob@"+sipp.Addr())
			if err != nil {
				t.Fatal(err)
			}
			ring := ev.Next(phone.EventCallProgress)
			if ring.Code != 180 || ring.Call.Status != phone.StatusRinging || ring.Call.EarlyMedia {
				t.Fatalf("180: code %d %+v, want ringing without early media", ring.Code, ring.Call)
			}
			if prog := ev.Next(phone.EventCallProgress, phone.EventCallEarlyMedia); prog.Type != phone.EventCallProgress || prog.Code != 183 {
				t.Fatalf("after the 180: %s %d, want call_progress 183 first", prog.Type, prog.Code)
			}
			early := ev.Next(phone.EventCallEarlyMedia, phone.EventCallAccepted)
			if early.Type != phone.EventCallEarlyMedia {
				t.Fatalf("after the 183: %s, want call_early_media", early.Type)
			}
			if early.Code != 183 || !early.Call.EarlyMedia || early.Call.Answered || early.Call.Status != phone.StatusRinging {
				t.Fatalf("call_early_media: code %d %+v", early.Code, early.Call)
			}
			acc := ev.Next(phone.EventCallAccepted, phone.EventCallFailed)
			if acc.Type != phone.EventCallAccepted || acc.Call.EarlyMedia || !acc.Call.Answered {
				t.Fatalf("after the 200: %s %+v", acc.Type, acc.Call)
			}
			if err := p.Hangup(context.Background(), cs.ID()); err != nil {
				t.Fatal(err)
			}
			ev.Next(phone.EventCallEnded)
			waitSipp(t, sipp)
		})
	}
}
