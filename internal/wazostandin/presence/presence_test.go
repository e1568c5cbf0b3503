package presence

import (
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

func ptr[T any](v T) *T { return &v }

// TestMergedLineState: ringing > progressing > holding > talking >
// available > unavailable (wazo-chatd schemas.py _set_line_state).
func TestMergedLineState(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{nil, LineUnavailable},
		{[]string{LineUnavailable}, LineUnavailable},
		{[]string{LineUnavailable, LineAvailable}, LineAvailable},
		{[]string{LineTalking, LineAvailable}, LineTalking},
		{[]string{LineTalking, LineHolding}, LineHolding},
		{[]string{LineHolding, LineProgressing}, LineProgressing},
		{[]string{LineProgressing, LineRinging, LineTalking}, LineRinging},
	} {
		var ls []Line
		for i, s := range tc.lines {
			ls = append(ls, Line{ID: i + 1, State: s})
		}
		if got := MergedLineState(ls); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.lines, got, tc.want)
		}
	}
}

// TestLineStates: a line's channels are its user's on that line and the
// scripted peer answering its extension; the highest state wins, held
// channels are holding, Down ones count for nothing.
func TestLineStates(t *testing.T) {
	u := directory.User{UUID: "u1", Lines: []directory.Line{
		{ID: 7, Extensions: []directory.Extension{{Exten: "1101"}}},
		{ID: 8},
	}}
	call := func(owner string, line int, status string, number string, held bool) callmodel.Call {
		c := callmodel.Call{Status: status, CallerIDNumber: number, OnHold: held}
		if owner != "" {
			c.UserUUID = ptr(owner)
		}
		if line != 0 {
			c.LineID = ptr(line)
		}
		return c
	}
	for _, tc := range []struct {
		name  string
		chans []callmodel.Call
		want  [2]string
	}{
		{"no calls", nil, [2]string{LineAvailable, LineAvailable}},
		{"peer at the extension rings", []callmodel.Call{call("", 0, callmodel.StatusRinging, "1101", false)}, [2]string{LineRinging, LineAvailable}},
		{"own call out on line 8", []callmodel.Call{call("u1", 8, callmodel.StatusRing, "1101", false)}, [2]string{LineAvailable, LineProgressing}},
		{"talking and held", []callmodel.Call{call("u1", 7, callmodel.StatusUp, "", false), call("u1", 7, callmodel.StatusUp, "", true)}, [2]string{LineHolding, LineAvailable}},
		{"another user's call", []callmodel.Call{call("u2", 7, callmodel.StatusUp, "1101", false)}, [2]string{LineAvailable, LineAvailable}},
		{"down channel", []callmodel.Call{call("u1", 7, callmodel.StatusDown, "", false)}, [2]string{LineAvailable, LineAvailable}},
	} {
		got := lineStates(u, tc.chans)
		if len(got) != 2 || got[0].State != tc.want[0] || got[1].State != tc.want[1] || got[0].ID != 7 {
			t.Errorf("%s: %+v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestUpdate: a PUT's state and status are stored with last_activity and
// published as a tenant event; a nil status keeps the text; bad input is
// refused; an unchanged DND publishes nothing.
func TestUpdate(t *testing.T) {
	users := directory.New("t1")
	u, err := users.Add(directory.User{Username: "a", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var got []Presence
	var targets, acls []string
	s := New(Config{Users: users, Publish: func(name, user, tenant, acl string, data any) {
		if name != EventUpdated || tenant != "t1" {
			t.Errorf("event %s tenant %s", name, tenant)
		}
		targets = append(targets, user)
		acls = append(acls, acl)
		got = append(got, data.(Presence))
	}})
	if p, _ := s.Get(u.UUID); p.State != StateUnavailable || p.LastActivity != nil || p.Status != nil {
		t.Fatalf("new user %+v", p)
	}
	if err := s.Update(u.UUID, StateAway, ptr("lunch"), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(u.UUID, StateAvailable, nil, false); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].State != StateAvailable || got[1].Status == nil || *got[1].Status != "lunch" || got[1].LastActivity == nil {
		t.Fatalf("published %+v", got)
	}
	if targets[0] != "" || acls[0] != "events.chatd.users."+u.UUID+".presences.updated" {
		t.Fatalf("target %q acl %q", targets[0], acls[0])
	}
	if err := s.Update(u.UUID, "busy", nil, false); err == nil {
		t.Fatal("busy accepted")
	}
	if err := s.Update("nobody", StateAway, nil, false); err == nil {
		t.Fatal("unknown user accepted")
	}
	if err := s.SetDND(u.UUID, true); err != nil || len(got) != 3 || !got[2].DoNotDisturb {
		t.Fatalf("dnd %v %+v", err, got)
	}
	if err := s.SetDND(u.UUID, true); err != nil || len(got) != 3 {
		t.Fatal("an unchanged DND was published")
	}
}
