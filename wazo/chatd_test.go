package wazo

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// TestPresencesListGetSet: the list holds the tenant's users (new users
// "unavailable"), filters by uuid; setting mine stores state, status and
// last_activity; bad input and a missing ACL are typed errors.
func TestPresencesListGetSet(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	all, err := c.Presences(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].State != PresenceUnavailable || all[0].LastActivity != nil {
		t.Fatalf("list %+v", all)
	}
	only, err := c.Presences(ctx(t), bobUUID)
	if err != nil || len(only) != 1 || only[0].UUID != bobUUID || len(only[0].Lines) != 2 || only[0].LineState != LineStateAvailable {
		t.Fatalf("filtered %+v %v", only, err)
	}
	status := "at lunch"
	if err := c.SetMyPresence(ctx(t), PresenceAway, &status); err != nil {
		t.Fatal(err)
	}
	me, err := c.MyPresence(ctx(t))
	if err != nil || me.State != PresenceAway || me.Status == nil || *me.Status != status || me.LastActivity == nil || !me.Connected {
		t.Fatalf("mine %+v %v", me, err)
	}
	// A nil status keeps the stored text.
	if err := c.SetMyPresence(ctx(t), PresenceAvailable, nil); err != nil {
		t.Fatal(err)
	}
	if me, _ := c.MyPresence(ctx(t)); me.State != PresenceAvailable || me.Status == nil || *me.Status != status {
		t.Fatalf("after nil status %+v", me)
	}

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"bad state", func() error { return c.SetMyPresence(ctx(t), "busy", nil) }, ErrInvalidPresence},
		{"bad state on the wire", func() error {
			_, err := c.do(ctx(t), request{method: "PUT", path: chatdPrefix + "/users/" + aliceUUID + "/presences", body: map[string]any{"state": "busy"}, auth: true})
			return err
		}, ErrInvalidData},
		{"unknown user", func() error {
			_, err := c.Presence(ctx(t), "cccccccc-0000-4000-8000-000000000003")
			return err
		}, ErrNotFound},
		{"another user's presence is not mine to set", func() error {
			_, err := c.do(ctx(t), request{method: "PUT", path: chatdPrefix + "/users/" + bobUUID + "/presences", body: map[string]any{"state": "away"}, auth: true})
			return err
		}, ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}

	// A user without the chatd ACL.
	if _, err := e.stack.AddUser(wazostandin.User{Username: "nochat", Password: "pw", ACL: []string{"websocketd"}}); err != nil {
		t.Fatal(err)
	}
	nc := e.client()
	if _, err := nc.Login(ctx(t), "nochat", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Presences(ctx(t)); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("without ACL: %v", err)
	}
}

// TestPresenceEvents: chatd_presence_updated reaches every user of the
// tenant: when a colleague's presence is set, and when a call rings and is
// answered at the colleague's extension (line ringing → talking).
func TestPresenceEvents(t *testing.T) {
	e := newEnv(t, nil)
	carol, err := e.stack.AddUser(wazostandin.User{Username: "carol", Password: "pw", Firstname: "Carol",
		Lines: []wazostandin.Line{{Extensions: []wazostandin.Extension{{Exten: "1201"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)
	presenceEvent := func(want func(Presence) bool) func() bool {
		return func() bool {
			_, ok := evs.find(func(ev Event) bool {
				var p Presence
				return ev.Name == EventPresenceUpdated && json.Unmarshal(ev.Data, &p) == nil && p.UUID == carol.UUID && want(p)
			})
			return ok
		}
	}
	st := "with a customer"
	if err := e.stack.SetPresence(carol.UUID, "away", &st); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol away", presenceEvent(func(p Presence) bool {
		return p.State == PresenceAway && p.Status != nil && *p.Status == st && p.TenantUUID != ""
	}))
	m := e.stack.Calls()
	mine, err := m.NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID, Status: wazostandin.StatusRing, PeerCallerIDNumber: "1201"})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := m.NewChannel(wazostandin.ChannelSpec{Status: wazostandin.StatusRinging, CallerIDNumber: "1201", LinkedTo: mine.CallID})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol ringing", presenceEvent(func(p Presence) bool {
		return p.LineState == LineStateRinging && len(p.Lines) == 1 && p.Lines[0].State == LineStateRinging
	}))
	m.Answer(mine.CallID)
	m.Answer(peer.CallID)
	waitFor(t, "carol talking", presenceEvent(func(p Presence) bool { return p.LineState == LineStateTalking }))
	if err := m.Hangup(peer.CallID, wazostandin.CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol available again", presenceEvent(func(p Presence) bool {
		return p.LineState == LineStateAvailable && p.State == PresenceAway
	}))
}

// TestWazoSourceContacts: the colleague names come from dird's wazo
// source of the user's profile (the line context).
func TestWazoSourceContacts(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	srcs, err := c.ProfileSources(ctx(t), "default")
	if err != nil || len(srcs) != 1 || srcs[0].Backend != "wazo" {
		t.Fatalf("sources %+v %v", srcs, err)
	}
	all, err := c.WazoSourceContacts(ctx(t), srcs[0].UUID, "", 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("contacts %+v %v", all, err)
	}
	found, err := c.WazoSourceContacts(ctx(t), srcs[0].UUID, "agent", 0)
	if err != nil || len(found) != 1 || found[0].UUID != aliceUUID || found[0].Exten != "1001" {
		t.Fatalf("search %+v %v", found, err)
	}
	if _, err := c.ProfileSources(ctx(t), "nowhere"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown profile: %v", err)
	}
}

// TestSetDoNotDisturb: confd's DND service is stored, shown in the user
// and in the chatd presence, announced to the user and to the tenant;
// while it is on the stand-in rings none of the user's devices.
func TestSetDoNotDisturb(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)
	if err := c.SetDoNotDisturb(ctx(t), true); err != nil {
		t.Fatal(err)
	}
	if u, err := c.User(ctx(t)); err != nil || !u.Services.DND.Enabled {
		t.Fatalf("confd user %+v %v", u.Services, err)
	}
	if p, err := c.MyPresence(ctx(t)); err != nil || !p.DoNotDisturb {
		t.Fatalf("presence %+v %v", p, err)
	}
	waitFor(t, "users_services_dnd_updated and the presence", func() bool {
		_, dnd := evs.find(func(ev Event) bool { return ev.Name == "users_services_dnd_updated" && ev.ForUser(aliceUUID) })
		_, pres := evs.find(func(ev Event) bool {
			var p Presence
			return ev.Name == EventPresenceUpdated && json.Unmarshal(ev.Data, &p) == nil && p.UUID == aliceUUID && p.DoNotDisturb
		})
		return dnd && pres
	})
	if _, err := e.stack.Ring(aliceUUID, "1001", "Tone Bot"); !errors.Is(err, wazostandin.ErrDoNotDisturb) {
		t.Fatalf("ring with DND: %v", err)
	}
	if err := c.SetDoNotDisturb(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	if p, _ := c.MyPresence(ctx(t)); p.DoNotDisturb {
		t.Fatal("DND still on")
	}
}
