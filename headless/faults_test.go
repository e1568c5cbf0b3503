package headless_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// TestStatusCanTakeCalls: status answers "can I take calls right now?"
// from the registration, for every state.
func TestStatusCanTakeCalls(t *testing.T) {
	for _, tt := range []struct {
		reg    phone.Registration
		want   bool
		reason string
	}{
		{phone.Registration{State: phone.RegRegistered}, true, ""},
		{phone.Registration{State: phone.RegDirect}, true, ""},
		{phone.Registration{State: phone.RegRegistering}, false, "registering"},
		{phone.Registration{State: phone.RegFailed, Reason: "lost contact with the sip server"}, false, "lost contact with the sip server (retrying)"},
		{phone.Registration{State: phone.RegUnregistered}, false, "not registered"},
	} {
		t.Run(string(tt.reg.State), func(t *testing.T) {
			e := phonetest.New()
			e.SetRegistration(tt.reg)
			s := start(t, e)
			s.send(`{"cmd":"status","id":"st"}`)
			r := s.reply("st")
			if r.CanTakeCalls == nil || *r.CanTakeCalls != tt.want {
				t.Fatalf("status = %s, want can_take_calls %v", r.raw, tt.want)
			}
			if !strings.Contains(r.Reason, tt.reason) || (tt.want && r.Reason != "") {
				t.Errorf("reason = %q, want it to say %q", r.Reason, tt.reason)
			}
		})
	}
}

// TestRealStatusWhenThePathDies: a real phone registered with kamailio
// over UDP through a relay. The relay black-holes the path: status must
// stop saying the line can take calls (a keep-alive went unanswered), and
// say it again once the path is back and the line re-registered.
func TestRealStatusWhenThePathDies(t *testing.T) {
	testrig.Require(t, "kamailio")
	kam := testrig.StartKamailio(t)
	relay := testrig.StartUDPRelay(t, kam.UDPAddr)
	p, err := phone.New(phone.Account{Transport: "udp", Server: relay.Addr, Domain: "127.0.0.1", Username: "watch", Password: "x"},
		phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0),
		phone.WithKeepAlive(2*time.Second)) // short only to keep the test fast
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Disconnect(ctx)
	})
	s, _ := startAPI(t, p)
	s.ready()
	n := 0
	status := func() line {
		n++
		id := "st" + strconv.Itoa(n)
		s.send(`{"cmd":"status","id":"` + id + `"}`)
		return s.reply(id)
	}
	waitStatus := func(what string, ok func(line) bool) line {
		t.Helper()
		deadline := time.Now().Add(45 * time.Second)
		for {
			r := status()
			if ok(r) {
				return r
			}
			if time.Now().After(deadline) {
				t.Fatalf("status never %s; last %s", what, r.raw)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	can := func(want bool) func(line) bool {
		return func(r line) bool { return r.CanTakeCalls != nil && *r.CanTakeCalls == want }
	}
	waitStatus("ready", can(true))

	relay.Drop()
	start := time.Now()
	r := waitStatus("not ready after the black hole", can(false))
	t.Logf("can_take_calls false %v after the path died: %q", time.Since(start).Round(10*time.Millisecond), r.Reason)
	if !strings.Contains(r.Reason, "lost contact") || r.Registration == nil || r.Registration.State != "failed" {
		t.Errorf("status = %s, want failed with a reason that says contact was lost", r.raw)
	}
	s.event("register_failed", 1)

	relay.Restore()
	start = time.Now()
	waitStatus("ready again", can(true))
	t.Logf("can_take_calls true %v after the path came back", time.Since(start).Round(10*time.Millisecond))
}
