package callmodel

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-voip/parley/wazo/wire"
)

const (
	hostUUID  = "11111111-1111-1111-1111-111111111111"
	otherUUID = "22222222-2222-2222-2222-222222222222"
)

// twoCalls builds the docs/wazo-protocol.md, Ad-hoc conferences tested setup: host leg h1 ⇄ remote p1, host leg
// h2 ⇄ remote p2 (remotes owned by nobody, like trunk/test peers).
func twoCalls(t *testing.T, m *Model) (h1, p1, h2, p2 string) {
	t.Helper()
	mk := func(spec ChannelSpec) string {
		c, err := m.NewChannel(spec)
		if err != nil {
			t.Fatal(err)
		}
		return c.CallID
	}
	h1 = mk(ChannelSpec{UserUUID: hostUUID, CallerIDName: "Host", CallerIDNumber: "1000", SIPCallID: "sip-h1", IsCaller: true, Status: StatusRing})
	p1 = mk(ChannelSpec{CallerIDName: "P1", CallerIDNumber: "2001", LinkedTo: h1, Status: StatusRinging})
	h2 = mk(ChannelSpec{UserUUID: hostUUID, CallerIDName: "Host", CallerIDNumber: "1000", SIPCallID: "sip-h2", IsCaller: true, Status: StatusRing})
	p2 = mk(ChannelSpec{CallerIDName: "P2", CallerIDNumber: "2002", LinkedTo: h2, Status: StatusRinging})
	for _, pair := range [][2]string{{h1, p1}, {h2, p2}} {
		for _, id := range pair {
			if _, err := m.Answer(id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.Bridge(pair[0], pair[1]); err != nil {
			t.Fatal(err)
		}
	}
	return
}

func TestCallModelBasicCallEvents(t *testing.T) {
	rec := &recorder{}
	m := newTestModel(rec, nil)
	a, _ := m.NewChannel(ChannelSpec{UserUUID: hostUUID, Status: StatusRinging, SIPCallID: "abc@x", Direction: DirectionInbound})
	b, _ := m.NewChannel(ChannelSpec{UserUUID: otherUUID, Status: StatusRing, LinkedTo: a.CallID, IsCaller: true})
	if a.CallID != "1700000000.1" || b.CallID != "1700000000.2" || wire.Str(b.ConversationID) != a.CallID {
		t.Fatalf("ids: %s %s conv %s", a.CallID, b.CallID, wire.Str(b.ConversationID))
	}
	if len(a.TalkingTo) != 0 {
		t.Fatalf("talking_to must be empty at creation: %v", a.TalkingTo)
	}
	m.Answer(a.CallID)
	m.Answer(b.CallID)
	if _, err := m.Bridge(a.CallID, b.CallID); err != nil {
		t.Fatal(err)
	}
	m.SetHold(a.CallID, true)
	m.SetHold(a.CallID, true) // no change, no event
	m.SetHold(a.CallID, false)
	got, _ := m.Get(a.CallID)
	if u := got.TalkingTo[b.CallID]; u == nil || *u != otherUUID {
		t.Fatalf("talking_to = %v", got.TalkingTo)
	}
	if err := m.Hangup(b.CallID, CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Get(a.CallID); ok {
		t.Fatal("the other side of a two-party call must be hung up")
	}
	names := map[string]string{hostUUID: "host", otherUUID: "other", a.CallID: "a", b.CallID: "b"}
	want := []string{
		"host:call_created:a", "other:call_created:b",
		"host:call_answered:a", "other:call_answered:b",
		"host:call_updated:a", "other:call_updated:b",
		"host:call_held:a", "host:call_resumed:a",
		"other:call_ended:b", "host:call_ended:a",
	}
	evs := rec.take()
	if got := summarize(t, evs, names); !slices.Equal(got, want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	// addressing (docs/wazo-protocol.md, Event websocket); the bus builds
	// the envelope from it (httpside TestBusEnvelope)
	last := evs[len(evs)-1]
	if last.Name != "call_ended" || last.UserUUID != hostUUID || last.RequiredACL != "events.calls."+hostUUID {
		t.Fatalf("addressing %+v", last)
	}
	var data map[string]any
	if err := json.Unmarshal(last.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data["reason_code"] != float64(16) || data["hangup_time"] == nil || data["sip_call_id"] != "abc@x" {
		t.Fatalf("call_ended data %v", data)
	}
}

func TestCallModelAdhocLifecycle(t *testing.T) {
	hooks := &hookRecorder{}
	rec := &recorder{}
	m := newTestModel(rec, hooks.hooks())
	h1, p1, h2, p2 := twoCalls(t, m)
	rec.take()
	names := map[string]string{hostUUID: "host", "": "-", h1: "h1", p1: "p1", h2: "h2", p2: "p2"}

	// Create: the SDK sends the host's own peer too (docs/wazo-protocol.md, Ad-hoc conferences).
	cid, err := m.CreateAdhoc(hostUUID, h1, []string{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"host:conference_adhoc_created:",
		"host:conference_adhoc_participant_joined:h1",
		"host:call_updated:h1",
		"host:conference_adhoc_participant_joined:p1",
		"host:call_updated:h1",
		"host:conference_adhoc_participant_joined:p2",
		"host:call_ended:h2",
	}
	if got := summarize(t, rec.take(), names); !slices.Equal(got, want) {
		t.Fatalf("create events\n got %v\nwant %v", got, want)
	}
	if got := hooks.take(); !slices.Equal(got, []string{h2}) {
		t.Fatalf("create must BYE the discarded host leg h2, hooks %v", got)
	}
	host, _ := m.Get(h1)
	if got := host.TalkingToIDs(); !slices.Equal(got, []string{p1, p2}) {
		t.Fatalf("host talking_to %v", got)
	}
	if host.PeerCallerIDName != "Conference" || len(host.Bridges) != 1 || host.Bridges[0] != cid {
		t.Fatalf("host leg %+v", host)
	}

	// Add: a third call h3 ⇄ p3, then PUT participant p3.
	h3, _ := m.NewChannel(ChannelSpec{UserUUID: hostUUID})
	p3, _ := m.NewChannel(ChannelSpec{LinkedTo: h3.CallID})
	m.Bridge(h3.CallID, p3.CallID)
	names[h3.CallID], names[p3.CallID] = "h3", "p3"
	rec.take()
	if err := m.AddAdhocParticipant(hostUUID, cid, p3.CallID); err != nil {
		t.Fatal(err)
	}
	want = []string{"host:call_updated:h1", "host:conference_adhoc_participant_joined:p3", "host:call_ended:h3"}
	if got := summarize(t, rec.take(), names); !slices.Equal(got, want) {
		t.Fatalf("add events\n got %v\nwant %v", got, want)
	}
	if got := hooks.take(); !slices.Equal(got, []string{h3.CallID}) {
		t.Fatalf("add hooks %v", got)
	}
	if err := m.AddAdhocParticipant(hostUUID, cid, p3.CallID); !isCalld(err, "participant-already-in-conference") {
		t.Fatalf("re-add: %v", err)
	}

	// Remove p1: p1 hung up, others stay.
	if err := m.RemoveAdhocParticipant(hostUUID, cid, p1); err != nil {
		t.Fatal(err)
	}
	want = []string{"host:conference_adhoc_participant_left:p1", "host:call_updated:h1"}
	if got := summarize(t, rec.take(), names); !slices.Equal(got, want) {
		t.Fatalf("remove events\n got %v\nwant %v", got, want)
	}
	if got := hooks.take(); !slices.Equal(got, []string{p1}) {
		t.Fatalf("remove hooks %v", got)
	}
	// Remove p2: p3 stays with the host.
	m.RemoveAdhocParticipant(hostUUID, cid, p2)
	rec.take()
	hooks.take()
	// Remove p3: the host is alone → hung up (BYE) and the conference deleted.
	if err := m.RemoveAdhocParticipant(hostUUID, cid, p3.CallID); err != nil {
		t.Fatal(err)
	}
	want = []string{
		"host:conference_adhoc_participant_left:p3",
		"host:conference_adhoc_participant_left:h1",
		"host:call_ended:h1",
		"host:conference_adhoc_deleted:",
	}
	if got := summarize(t, rec.take(), names); !slices.Equal(got, want) {
		t.Fatalf("last remove events\n got %v\nwant %v", got, want)
	}
	if got := hooks.take(); !slices.Equal(got, []string{p3.CallID, h1}) {
		t.Fatalf("last remove hooks %v", got)
	}
	if _, ok := m.Conference(cid); ok {
		t.Fatal("conference must be gone")
	}
	if len(m.All()) != 0 {
		t.Fatalf("channels left: %v", m.All())
	}
}

func TestCallModelAdhocDeleteAndHostHangup(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(m *Model, cid, h1 string) error
		// the host leg is BYEd by the stack only on DELETE
		hooks func(h1, p1, p2 string) []string
	}{
		{"delete", func(m *Model, cid, _ string) error { return m.DeleteAdhoc(hostUUID, cid) },
			func(h1, p1, p2 string) []string { return []string{h1, p1, p2} }},
		{"host hangs up", func(m *Model, _, h1 string) error { return m.Hangup(h1, CauseNormalClearing) },
			func(h1, p1, p2 string) []string { return []string{p1, p2} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hooks := &hookRecorder{}
			rec := &recorder{}
			m := newTestModel(rec, hooks.hooks())
			h1, p1, _, p2 := twoCalls(t, m)
			cid, err := m.CreateAdhoc(hostUUID, h1, []string{p2})
			if err != nil {
				t.Fatal(err)
			}
			rec.take()
			hooks.take()
			if err := tc.end(m, cid, h1); err != nil {
				t.Fatal(err)
			}
			names := map[string]string{hostUUID: "host", h1: "h1", p1: "p1", p2: "p2"}
			want := []string{
				"host:conference_adhoc_participant_left:h1",
				"host:call_ended:h1",
				"host:conference_adhoc_participant_left:p1",
				"host:conference_adhoc_participant_left:p2",
				"host:conference_adhoc_deleted:",
			}
			if got := summarize(t, rec.take(), names); !slices.Equal(got, want) {
				t.Fatalf("events\n got %v\nwant %v", got, want)
			}
			if got := hooks.take(); !slices.Equal(got, tc.hooks(h1, p1, p2)) {
				t.Fatalf("hooks %v", got)
			}
			if len(m.All()) != 0 {
				t.Fatalf("channels left: %v", m.All())
			}
		})
	}
}

func isCalld(err error, id string) bool {
	var ce *CalldError
	return errors.As(err, &ce) && ce.ErrorID == id
}

func TestCallModelAdhocValidation(t *testing.T) {
	m := newTestModel(&recorder{}, nil)
	h1, p1, h2, p2 := twoCalls(t, m)
	lone, _ := m.NewChannel(ChannelSpec{UserUUID: hostUUID})
	otherLeg, _ := m.NewChannel(ChannelSpec{UserUUID: otherUUID})
	otherPeer, _ := m.NewChannel(ChannelSpec{})
	m.Bridge(otherLeg.CallID, otherPeer.CallID)
	for _, tc := range []struct {
		name, host string
		parts      []string
		user       string
		want       string
	}{
		{"missing host", "nope", nil, hostUUID, "host-call-not-found"},
		{"host of another user", otherLeg.CallID, nil, hostUUID, "host-call-not-found"},
		{"lone host", lone.CallID, nil, hostUUID, "host-call-creation-error"},
		{"missing participant", h1, []string{"nope"}, hostUUID, "participant-call-not-found"},
		{"lone participant", h1, []string{lone.CallID}, hostUUID, "participant-call-not-found"},
		{"participant peer not the user's", h1, []string{otherPeer.CallID}, hostUUID, "participant-call-not-found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := m.CreateAdhoc(tc.user, tc.host, tc.parts); !isCalld(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	cid, err := m.CreateAdhoc(hostUUID, h1, []string{p2})
	if err != nil {
		t.Fatal(err)
	}
	_ = h2
	if _, err := m.CreateAdhoc(hostUUID, h1, nil); !isCalld(err, "host-already-in-conference") {
		t.Fatalf("host in conference: %v", err)
	}
	if err := m.AddAdhocParticipant(hostUUID, "nope", p1); !isCalld(err, "adhoc-conference-not-found") {
		t.Fatalf("add to missing conf: %v", err)
	}
	if err := m.AddAdhocParticipant(otherUUID, cid, p1); !isCalld(err, "adhoc-conference-not-found") {
		t.Fatalf("add by non-host: %v", err)
	}
	if err := m.AddAdhocParticipant(hostUUID, cid, "nope"); !isCalld(err, "participant-call-not-found") {
		t.Fatalf("add missing participant: %v", err)
	}
	if err := m.AddAdhocParticipant(hostUUID, cid, lone.CallID); !isCalld(err, "participant-call-not-found") {
		t.Fatalf("add lone: %v", err)
	}
	if err := m.RemoveAdhocParticipant(hostUUID, cid, lone.CallID); !isCalld(err, "participant-call-not-found") {
		t.Fatalf("remove non-member: %v", err)
	}
	if err := m.DeleteAdhoc(otherUUID, cid); !isCalld(err, "adhoc-conference-not-found") {
		t.Fatalf("delete by non-host: %v", err)
	}
}

// TestCallEndedIsTheDeadChannel: call_ended carries what calld builds from
// the destroyed channel (wazo-calld plugins/calls/services.py
// channel_destroyed_event): caller and peer swapped, no bridges or peers,
// the Call defaults for hold/mute/record, and hangup_time in Python
// isoformat with a "+00:00" offset.
func TestCallEndedIsTheDeadChannel(t *testing.T) {
	rec := &recorder{}
	at := time.Date(2026, 12, 4, 5, 6, 7, 891000000, time.UTC)
	m := New(Config{CallIDBase: 1700000000, DefaultTenant: "tenant", Publish: rec.publish, Now: func() time.Time { return at }})
	a, _ := m.NewChannel(ChannelSpec{UserUUID: hostUUID, CallerIDName: "Alice", CallerIDNumber: "1001",
		PeerCallerIDName: "Customer", PeerCallerIDNumber: "5550100", SIPCallID: "abc@x", IsCaller: true, DialedExtension: "5550100"})
	b, _ := m.NewChannel(ChannelSpec{CallerIDName: "Customer", CallerIDNumber: "5550100", LinkedTo: a.CallID})
	m.Answer(a.CallID)
	m.Answer(b.CallID)
	if _, err := m.Bridge(a.CallID, b.CallID); err != nil {
		t.Fatal(err)
	}
	m.SetHold(a.CallID, true)
	if err := m.Hangup(a.CallID, CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	for _, ev := range rec.take() {
		if ev.Name == "call_ended" && ev.UserUUID == hostUUID {
			if err := json.Unmarshal(ev.Data, &data); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]any{
		"call_id": a.CallID, "caller_id_name": "Customer", "caller_id_number": "5550100",
		"peer_caller_id_name": "Alice", "peer_caller_id_number": "1001",
		"on_hold": false, "muted": false, "record_state": "inactive", "parked": false,
		"hangup_time": "2026-12-04T05:06:07.891000+00:00", "reason_code": float64(CauseNormalClearing),
		"sip_call_id": "abc@x", "user_uuid": hostUUID, "is_caller": true, "dialed_extension": "5550100",
	}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("call_ended %s = %v, want %v", k, data[k], v)
		}
	}
	if br, _ := data["bridges"].([]any); br == nil || len(br) != 0 {
		t.Errorf("bridges %v, want []", data["bridges"])
	}
	if tt, _ := data["talking_to"].(map[string]any); tt == nil || len(tt) != 0 {
		t.Errorf("talking_to %v, want {}", data["talking_to"])
	}
	if data["answer_time"] == nil || data["creation_time"] == nil {
		t.Errorf("answer/creation time lost: %v", data)
	}
}

// TestStartAdhocJoinsLater: StartAdhoc publishes only
// conference_adhoc_created (what real calld does before its 201); join
// brings the joined events; a join after the host hung up does nothing.
func TestStartAdhocJoinsLater(t *testing.T) {
	rec := &recorder{}
	m := newTestModel(rec, nil)
	h1, p1, h2, p2 := twoCalls(t, m)
	rec.take()
	names := map[string]string{hostUUID: "host", h1: "h1", p1: "p1", h2: "h2", p2: "p2"}
	_, join, err := m.StartAdhoc(hostUUID, h1, []string{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(t, rec.take(), names); !slices.Equal(got, []string{"host:conference_adhoc_created:"}) {
		t.Fatalf("before join %v", got)
	}
	join()
	got := summarize(t, rec.take(), names)
	if !slices.Contains(got, "host:conference_adhoc_participant_joined:p2") || !slices.Contains(got, "host:call_ended:h2") {
		t.Fatalf("after join %v", got)
	}

	// The host hangs up between the reply and the join.
	rec2 := &recorder{}
	m2 := newTestModel(rec2, nil)
	g1, q1, _, q2 := twoCalls(t, m2)
	_, join2, err := m2.StartAdhoc(hostUUID, g1, []string{q1, q2})
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.Hangup(g1, CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	rec2.take()
	join2()
	for _, ev := range rec2.take() {
		if ev.Name == "conference_adhoc_participant_joined" {
			t.Fatalf("joined after the host hung up: %+v", ev)
		}
	}
}
