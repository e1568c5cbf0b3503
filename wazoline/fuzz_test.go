package wazoline

// FuzzLineEvent: what the line's applier goroutine does with one websocketd
// event (Line.handle): decode call and hold events, feed the correlator,
// re-publish. Run with scripts/fuzz.sh (docs/testing.md, "Fuzzing").

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

func FuzzLineEvent(f *testing.F) {
	for _, s := range []string{
		`{"name":"call_created","user_uuid:u":true,"data":{"call_id":"1.1","user_uuid":"u","sip_call_id":"abc","status":"Ringing","talking_to":{"1.2":"x"},"creation_time":"2026-01-01T00:00:00.000+0000"}}`,
		`{"name":"call_answered","data":{"call_id":"1.1","user_uuid":"u","sip_call_id":"abc","status":"Up"}}`,
		`{"name":"call_updated","data":{"call_id":"1.1","user_uuid":"","sip_call_id":"","on_hold":true}}`,
		`{"name":"call_ended","data":{"call_id":"1.1","user_uuid":"u","sip_call_id":"abc","hangup_cause":16}}`,
		`{"name":"call_held","data":{"call_id":"1.1","user_uuid":"u"}}`,
		`{"name":"call_resumed","data":{"call_id":"nosuch"}}`,
		`{"name":"conference_adhoc_participant_joined","data":{"conference_id":"c","call_id":"1.3"}}`,
		`{"name":"call_created","data":"a string"}`,
	} {
		f.Add([]byte(s))
	}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m struct {
			Name       string          `json:"name"`
			TenantUUID string          `json:"tenant_uuid"`
			Data       json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &m) != nil {
			return
		}
		ev := wazo.Event{Name: m.Name, TenantUUID: m.TenantUUID, Raw: b, Data: m.Data}
		// A fresh line each time: the correlator's state from one input
		// must not decide whether the next one crashes.
		set := func(string, phone.ServerCall) bool { return true }
		l := &Line{user: "u", log: log, noisy: log, out: eventq.New[Event]()}
		defer l.out.Close()
		l.corr = newCorrelator(set, time.Minute, nil, log)
		out, cancel := l.out.Subscribe()
		defer cancel()
		// Twice: the second sees the correlator with the first applied.
		l.handle(inboxItem{ev: ev})
		l.handle(inboxItem{ev: ev})
		l.corr.expire()
		l.handle(inboxItem{resync: true, calls: []wazo.Call{{CallID: "1.1", UserUUID: "u", SIPCallID: "abc"}}})
		got := 0
		deadline := time.After(10 * time.Second)
		for got < 2 {
			select {
			case e := <-out:
				if e.Name != ev.Name {
					t.Fatalf("published %q for %q", e.Name, ev.Name)
				}
				got++
			case <-deadline:
				t.Fatalf("event %q not re-published (%d of 2)", ev.Name, got)
			}
		}
	})
}
