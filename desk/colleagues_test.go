package desk_test

import (
	"context"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// colleaguesEnv is the demo stack (its colleagues never change on their own),
// the demo user's Wazo line through the real engine, and its Desk.
type colleaguesEnv struct {
	d    *demo.Demo
	line *wazoline.Line
	desk *desk.Desk
}

func newColleaguesEnv(t *testing.T) *colleaguesEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	d, err := demo.Start(context.Background(), demo.WithLogger(testLogger()), demo.WithComings(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(),
		wazoline.WithPinnedCertificate(d.CertificateSHA256()), wazoline.WithLogger(testLogger()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}),
			phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	dk := desk.New(line, desk.WithLogger(testLogger()))
	t.Cleanup(dk.Close)
	return &colleaguesEnv{d: d, line: line, desk: dk}
}

// waitColleague reads changes until one satisfies ok.
func waitColleague(t *testing.T, ch <-chan desk.Colleague, what string, ok func(desk.Colleague) bool) desk.Colleague {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		select {
		case c, open := <-ch:
			if !open {
				t.Fatalf("%s: subscription closed", what)
			}
			if ok(c) {
				return c
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func byExten(list []desk.Colleague, exten string) (desk.Colleague, bool) {
	for _, c := range list {
		if c.Extension == exten {
			return c, true
		}
	}
	return desk.Colleague{}, false
}

// TestColleaguesListAndSearch: Load names the demo colleagues (dird),
// with their presence (chatd); search folds case and accents and matches
// extensions; the signed-in user is not listed.
func TestColleaguesListAndSearch(t *testing.T) {
	e := newColleaguesEnv(t)
	cs := e.desk.Colleagues()
	if err := cs.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	all := cs.List("")
	if len(all) != len(demo.Colleagues()) {
		t.Fatalf("got %d colleagues: %+v", len(all), all)
	}
	bruno, _ := byExten(all, "1102")
	if bruno.Name != "Bruno Lefèvre" || bruno.Presence != desk.PresenceAway || bruno.Status != "Back at 2 pm" || bruno.Line != desk.LineIdle || !bruno.Connected {
		t.Fatalf("bruno %+v", bruno)
	}
	if david, _ := byExten(all, "1104"); !david.DND {
		t.Fatalf("david %+v", david)
	}
	if me := cs.Me(); !me.Me || me.Presence != desk.PresenceAvailable {
		t.Fatalf("me %+v", me)
	}
	for _, tc := range []struct {
		search string
		want   []string
	}{
		{"chloe", []string{"1103"}},
		{"LEFEVRE", []string{"1102"}},
		{"1104", []string{"1104"}},
		{"110", []string{"1101", "1102", "1103", "1104", "1105"}},
		{"demo", nil}, // the signed-in user is not a colleague
		{"nobody", nil},
	} {
		got := cs.List(tc.search)
		var extens []string
		for _, c := range got {
			extens = append(extens, c.Extension)
		}
		if len(extens) != len(tc.want) {
			t.Fatalf("search %q: %v, want %v", tc.search, extens, tc.want)
		}
		for i := range extens {
			if extens[i] != tc.want[i] {
				t.Fatalf("search %q: %v, want %v", tc.search, extens, tc.want)
			}
		}
	}
}

// TestColleaguesLive: a colleague's presence set on the server and the
// line state of a real call to their extension (ringing, then talking
// once answered, idle after) reach the service through the event
// websocket; setting my presence is stored by the stand-in and comes back
// as an event.
func TestColleaguesLive(t *testing.T) {
	e := newColleaguesEnv(t)
	cs := e.desk.Colleagues()
	ch, stop := cs.Subscribe()
	defer stop()
	if err := cs.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	bruno, _ := e.d.ColleagueUUID("1102")
	status := "Back in 5"
	if err := e.d.Stack().SetPresence(bruno, "available", &status); err != nil {
		t.Fatal(err)
	}
	waitColleague(t, ch, "bruno available", func(c desk.Colleague) bool {
		return c.UUID == bruno && c.Presence == desk.PresenceAvailable && c.Status == status
	})
	if c, _ := cs.Get(bruno); c.Presence != desk.PresenceAvailable {
		t.Fatalf("list not updated: %+v", c)
	}

	// Chloé (1103) never answers: her line rings while we call her.
	chloe, _ := e.d.ColleagueUUID("1103")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	call, err := e.line.Phone().Call(ctx, "1103")
	if err != nil {
		t.Fatal(err)
	}
	waitColleague(t, ch, "chloé ringing", func(c desk.Colleague) bool { return c.UUID == chloe && c.Line == desk.LineRinging })
	if err := e.line.Phone().Hangup(ctx, call.ID()); err != nil {
		t.Fatal(err)
	}
	waitColleague(t, ch, "chloé idle", func(c desk.Colleague) bool { return c.UUID == chloe && c.Line == desk.LineIdle })

	// Alice (1101) answers: talking.
	alice, _ := e.d.ColleagueUUID("1101")
	call, err = e.line.Phone().Call(ctx, "1101")
	if err != nil {
		t.Fatal(err)
	}
	waitColleague(t, ch, "alice talking", func(c desk.Colleague) bool { return c.UUID == alice && c.Line == desk.LineTalking })
	_ = e.line.Phone().Hangup(ctx, call.ID())
	waitColleague(t, ch, "alice idle", func(c desk.Colleague) bool { return c.UUID == alice && c.Line == desk.LineIdle })

	// A change while the event socket is down arrives through the reload
	// after the reconnect.
	e.d.Stack().KillWebsockets()
	emma, _ := e.d.ColleagueUUID("1105")
	if err := e.d.Stack().SetPresence(emma, "available", nil); err != nil {
		t.Fatal(err)
	}
	waitColleague(t, ch, "emma available after the reconnect", func(c desk.Colleague) bool {
		return c.UUID == emma && c.Presence == desk.PresenceAvailable
	})

	// My presence.
	lunch := "Lunch"
	if err := cs.SetMyPresence(ctx, desk.PresenceAway, &lunch); err != nil {
		t.Fatal(err)
	}
	p, err := e.d.Stack().Presence(e.d.UserUUID())
	if err != nil || p.State != "away" || p.Status == nil || *p.Status != "Lunch" {
		t.Fatalf("stand-in holds %+v %v", p, err)
	}
	waitColleague(t, ch, "my presence back", func(c desk.Colleague) bool {
		return c.Me && c.Presence == desk.PresenceAway && c.Status == "Lunch"
	})
	if err := cs.SetMyPresence(ctx, "busy", nil); err == nil {
		t.Fatal("an invalid presence was accepted")
	}
}
