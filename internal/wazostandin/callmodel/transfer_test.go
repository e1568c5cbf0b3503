package callmodel

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// fakeDialer stands in for the SIP side: "2000" exists; start records
// the channel so the test decides when the recipient answers or hangs up.
type fakeDialer struct {
	m       *Model
	started []string
}

func (d *fakeDialer) Exists(exten string) bool { return exten == "2000" }

func (d *fakeDialer) DialRecipient(exten string, spec ChannelSpec, _ int) (string, func(), error) {
	spec.Status = StatusRing
	spec.PeerCallerIDName, spec.PeerCallerIDNumber = "Recipient", exten
	c, err := d.m.NewChannel(spec)
	if err != nil {
		return "", nil, err
	}
	return c.CallID, func() { d.started = append(d.started, c.CallID) }, nil
}

// transferNames lists the transfer events' names with their status.
func transferNames(evs []event) []string {
	var out []string
	for _, ev := range evs {
		if len(ev.Name) > 9 && ev.Name[:9] == "transfer_" {
			var tr Transfer
			_ = json.Unmarshal(ev.Data, &tr)
			out = append(out, ev.Name+"/"+tr.Status)
		}
	}
	return out
}

// talkingTo is the one channel id c talks to ("" when none or several).
func talkingTo(t *testing.T, m *Model, id string) string {
	t.Helper()
	c, ok := m.Get(id)
	if !ok {
		return "gone"
	}
	if len(c.TalkingTo) != 1 {
		return ""
	}
	for k := range c.TalkingTo {
		return k
	}
	return ""
}

func TestCalldTransferStateMachine(t *testing.T) {
	type step func(t *testing.T, m *Model, tr Transfer, h, p, r string)
	answer := func(t *testing.T, m *Model, _ Transfer, _, _, r string) {
		if _, err := m.Answer(r); err != nil {
			t.Fatal(err)
		}
	}
	complete := func(t *testing.T, m *Model, tr Transfer, _, _, _ string) {
		if err := m.CompleteTransfer(hostUUID, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	cancel := func(t *testing.T, m *Model, tr Transfer, _, _, _ string) {
		if err := m.CancelTransfer(hostUUID, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	busy := func(t *testing.T, m *Model, _ Transfer, _, _, r string) {
		if err := m.Hangup(r, CauseUserBusy); err != nil {
			t.Fatal(err)
		}
	}
	initiatorBye := func(t *testing.T, m *Model, _ Transfer, h, _, _ string) {
		if err := m.Hangup(h, CauseNormalClearing); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name       string
		flow       string
		steps      []step
		wantEvents []string
		// who the transferred party p and the initiator h end up talking to
		// ("r" recipient, "h", "p", "gone", "" nobody)
		pTalksTo, hTalksTo string
	}{
		{"blind: the transferred party rings, then talks to the recipient", "blind", []step{answer},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_completed/ringback",
				"transfer_answered/blind_transferred", "transfer_ended/ended"}, "r", "gone"},
		{"attended, completed", "attended", []step{answer, complete},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_answered/answered",
				"transfer_completed/answered", "transfer_ended/ended"}, "r", "gone"},
		{"attended, cancelled after the answer", "attended", []step{answer, cancel},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_answered/answered",
				"transfer_cancelled/answered", "transfer_ended/ended"}, "h", "p"},
		{"attended, recipient busy: cancelled", "attended", []step{busy},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_cancelled/ringback", "transfer_ended/ended"}, "h", "p"},
		{"attended, initiator hangs up while talking: completed", "attended", []step{answer, initiatorBye},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_answered/answered",
				"transfer_completed/answered", "transfer_ended/ended"}, "r", "gone"},
		{"attended, completed before the answer: becomes blind", "attended", []step{complete, answer},
			[]string{"transfer_updated/ready", "transfer_created/ringback", "transfer_completed/ringback",
				"transfer_answered/blind_transferred", "transfer_ended/ended"}, "r", "gone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			hr := &hookRecorder{}
			m := newTestModel(rec, hr.hooks())
			d := &fakeDialer{m: m}
			m.SetTransferDialer(d)
			h, p, _, _ := twoCalls(t, m)
			rec.take()
			tr, err := m.CreateTransfer(hostUUID, h, " 20 00", tc.flow, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tr.RecipientCall == nil || tr.TransferredCall != p || tr.InitiatorCall != h || len(d.started) != 1 {
				t.Fatalf("transfer %+v, started %v", tr, d.started)
			}
			r := *tr.RecipientCall
			if c, _ := m.Get(r); c.Owner() != hostUUID || c.PeerCallerIDNumber != "2000" {
				t.Fatalf("recipient call %+v", c)
			}
			if c, _ := m.Get(p); tc.flow == "attended" && !c.OnHold {
				t.Fatalf("the transferred party is not held: %+v", c)
			}
			for _, s := range tc.steps {
				s(t, m, tr, h, p, r)
			}
			if got := transferNames(rec.take()); !slices.Equal(got, tc.wantEvents) {
				t.Fatalf("events\n got %v\nwant %v", got, tc.wantEvents)
			}
			names := map[string]string{r: "r", h: "h", p: "p", "gone": "gone", "": ""}
			if got := names[talkingTo(t, m, p)]; got != tc.pTalksTo {
				t.Errorf("transferred party talks to %q, want %q", got, tc.pTalksTo)
			}
			if got := names[talkingTo(t, m, h)]; got != tc.hTalksTo {
				t.Errorf("initiator talks to %q, want %q", got, tc.hTalksTo)
			}
			if c, ok := m.Get(p); ok && c.OnHold {
				t.Errorf("the transferred party is still held")
			}
			if left := m.Transfers(hostUUID); len(left) != 0 {
				t.Errorf("transfers left: %+v", left)
			}
		})
	}
}

func TestCalldTransferRefusals(t *testing.T) {
	rec := &recorder{}
	m := newTestModel(rec, nil)
	m.SetTransferDialer(&fakeDialer{m: m})
	h, _, h2, _ := twoCalls(t, m)
	lone, _ := m.NewChannel(ChannelSpec{UserUUID: hostUUID})
	first, err := m.CreateTransfer(hostUUID, h2, "2000", "attended", 0)
	if err != nil {
		t.Fatal(err)
	}
	m.Answer(*first.RecipientCall) // h2 talks to the recipient now
	cases := []struct {
		name, user, call, exten, flow string
		status                        int
		errorID                       string
	}{
		{"unknown extension", hostUUID, h, "9999", "", 400, "invalid-extension"},
		{"bad flow", hostUUID, h, "2000", "sideways", 400, "invalid-data"},
		{"no such call", hostUUID, "1.1", "2000", "", 400, "transfer-creation-error"},
		{"another user's call", otherUUID, h, "2000", "", 403, "user-permission-denied"},
		{"nobody to transfer", hostUUID, lone.CallID, "2000", "", 400, "transfer-creation-error"},
		{"already transferring", hostUUID, h2, "2000", "", 409, "transfer-already-started"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.CreateTransfer(tc.user, tc.call, tc.exten, tc.flow, 0)
			var ce *CalldError
			if !errors.As(err, &ce) || ce.Status != tc.status || ce.ErrorID != tc.errorID {
				t.Fatalf("got %v, want %d %s", err, tc.status, tc.errorID)
			}
		})
	}
	if err := m.CompleteTransfer(otherUUID, first.ID); !isCalldStatus(err, 403, "user-permission-denied") {
		t.Errorf("complete another's: %v", err)
	}
	if err := m.CancelTransfer(hostUUID, "nope"); !isCalldStatus(err, 404, "no-such-transfer") {
		t.Errorf("cancel missing: %v", err)
	}
}

func isCalldStatus(err error, status int, id string) bool {
	var ce *CalldError
	return errors.As(err, &ce) && ce.Status == status && ce.ErrorID == id
}
