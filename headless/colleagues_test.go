package headless_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// colleaguesSession is Run on the real engine signed in to the demo stand-in
// (colleagues that never change on their own), with the line's Desk.
func colleaguesSession(t *testing.T) (*session, *demo.Demo) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.WithComings(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	line, err := wazoline.Connect(cctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(d.CertificateSHA256()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	dk := desk.New(line)
	t.Cleanup(dk.Close)
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, out: newOutput(), done: make(chan error, 1)}
	rctx, rcancel := context.WithCancel(ctx)
	go func() { s.done <- headless.Run(rctx, line.API(), pr, s.out, headless.WithDesk(dk)) }()
	t.Cleanup(func() {
		rcancel()
		_ = pw.Close()
		select {
		case <-s.done:
		case <-time.After(patience):
			t.Error("Run did not return after cancel")
		}
	})
	s.ready()
	return s, d
}

type colleagueLine struct {
	Event     string `json:"event"`
	Colleague struct {
		UUID      string `json:"uuid"`
		Name      string `json:"name"`
		Extension string `json:"extension"`
		Presence  string `json:"presence"`
		Status    string `json:"status"`
		DND       bool   `json:"dnd"`
		Line      string `json:"line"`
		Me        bool   `json:"me"`
	} `json:"colleague"`
}

// waitColleague waits for a colleague_updated line satisfying ok.
func waitColleague(s *session, what string, ok func(colleagueLine) bool) {
	s.t.Helper()
	s.waitFor(what, func(ls []line) bool {
		for _, l := range ls {
			if l.Event != "colleague_updated" {
				continue
			}
			var c colleagueLine
			if json.Unmarshal([]byte(l.raw), &c) == nil && ok(c) {
				return true
			}
		}
		return false
	})
}

// TestColleaguesCommands: colleagues_list searches the named colleagues;
// a colleague's presence change and the line state of a call placed to
// one arrive as colleague_updated; presence_set is held by the stand-in
// and comes back as an event; a bad state is a plain error.
func TestColleaguesCommands(t *testing.T) {
	s, d := colleaguesSession(t)
	s.send(`{"cmd":"colleagues_list","search":"lefevre","id":"l1"}`)
	r := s.reply("l1")
	if r.OK == nil || !*r.OK {
		t.Fatalf("colleagues_list: %s", r.raw)
	}
	var res struct {
		Colleagues []struct {
			Name, Extension, Presence, Status string
		} `json:"colleagues"`
		Me struct {
			Presence string `json:"presence"`
			Me       bool   `json:"me"`
		} `json:"me"`
	}
	if err := json.Unmarshal(r.Result, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Colleagues) != 1 || res.Colleagues[0].Name != "Bruno Lefèvre" || res.Colleagues[0].Extension != "1102" ||
		res.Colleagues[0].Presence != "away" || res.Colleagues[0].Status != "Back at 2 pm" || !res.Me.Me || res.Me.Presence != "available" {
		t.Fatalf("result %s", r.Result)
	}

	chloe, _ := d.ColleagueUUID("1103")
	st := "with a customer"
	if err := d.Stack().SetPresence(chloe, "away", &st); err != nil {
		t.Fatal(err)
	}
	waitColleague(s, "chloé away", func(c colleagueLine) bool {
		return c.Colleague.UUID == chloe && c.Colleague.Presence == "away" && c.Colleague.Status == st && c.Colleague.Name == "Chloé Dubois"
	})

	// Calling a colleague: their line shows talking once they answer.
	s.send(`{"cmd":"call","number":"1101","id":"c1"}`)
	if r := s.reply("c1"); r.OK == nil || !*r.OK {
		t.Fatalf("call: %s", r.raw)
	}
	waitColleague(s, "alice talking", func(c colleagueLine) bool {
		return c.Colleague.Extension == "1101" && c.Colleague.Line == "talking"
	})

	s.send(`{"cmd":"presence_set","state":"away","status":"Lunch","id":"p1"}`)
	if r := s.reply("p1"); r.OK == nil || !*r.OK {
		t.Fatalf("presence_set: %s", r.raw)
	}
	if p, err := d.Stack().Presence(d.UserUUID()); err != nil || p.State != "away" || p.Status == nil || *p.Status != "Lunch" {
		t.Fatalf("stand-in holds %+v %v", p, err)
	}
	waitColleague(s, "my presence back", func(c colleagueLine) bool {
		return c.Colleague.Me && c.Colleague.Presence == "away" && c.Colleague.Status == "Lunch"
	})
	s.send(`{"cmd":"presence_set","dnd":true,"id":"p3"}`)
	if r := s.reply("p3"); r.OK == nil || !*r.OK {
		t.Fatalf("presence_set dnd: %s", r.raw)
	}
	waitColleague(s, "my do-not-disturb back", func(c colleagueLine) bool {
		return c.Colleague.Me && c.Colleague.DND && c.Colleague.Presence == "away"
	})
	s.send(`{"cmd":"presence_set","state":"busy","id":"p2"}`)
	if r := s.reply("p2"); r.OK == nil || *r.OK || !strings.Contains(r.Error, "available, away") {
		t.Fatalf("bad state: %s", r.raw)
	}
}
