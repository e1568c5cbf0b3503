package wazo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// aliceCall creates alice's leg ⇄ a remote peer in the stack's call model.
func aliceCall(t *testing.T, m *wazostandin.CallModel, owner string) (mine, remote string) {
	t.Helper()
	a, err := m.NewChannel(wazostandin.ChannelSpec{UserUUID: owner, CallerIDNumber: "1001", SIPCallID: "sip-" + owner[:4]})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.NewChannel(wazostandin.ChannelSpec{CallerIDNumber: "2000", LinkedTo: a.CallID})
	m.Answer(a.CallID)
	m.Answer(b.CallID)
	if _, err := m.Bridge(a.CallID, b.CallID); err != nil {
		t.Fatal(err)
	}
	return a.CallID, b.CallID
}

// TestCalldErrorsAreTyped: every calld error_id the routes return maps to a
// typed error inside *APIError with a readable message.
func TestCalldErrorsAreTyped(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	m := e.stack.Calls()
	h1, p1 := aliceCall(t, m, aliceUUID)
	_, p2 := aliceCall(t, m, aliceUUID)
	h3, p3 := aliceCall(t, m, aliceUUID)
	_ = h3
	bobLeg, _ := aliceCall(t, m, bobUUID)
	lone, _ := m.NewChannel(wazostandin.ChannelSpec{UserUUID: aliceUUID})

	cid, err := c.CreateAdhocConference(ctx(t), h1, []string{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	calls, err := c.Calls(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var host Call
	for _, cl := range calls {
		if cl.CallID == h1 {
			host = cl
		}
	}
	if got := host.TalkingToIDs(); len(got) != 2 || !host.IsUp() || host.IsRinging() {
		t.Fatalf("host leg after create: %+v", host)
	}

	for _, tc := range []struct {
		name    string
		call    func(ctx context.Context) error
		want    error
		status  int
		errorID string
	}{
		{"hangup missing", func(ctx context.Context) error { return c.Hangup(ctx, "9.9") }, ErrNoSuchCall, 404, "no-such-call"},
		{"hangup other user's call", func(ctx context.Context) error { return c.Hangup(ctx, bobLeg) }, ErrUserPermissionDenied, 403, "user-permission-denied"},
		{"mute missing", func(ctx context.Context) error { return c.Mute(ctx, "9.9") }, ErrNoSuchCall, 404, "no-such-call"},
		{"hold missing", func(ctx context.Context) error { return c.Hold(ctx, "9.9") }, ErrNoSuchCall, 404, "no-such-call"},
		{"answer missing", func(ctx context.Context) error { return c.Answer(ctx, "9.9") }, ErrNoSuchCall, 404, "no-such-call"},
		{"dtmf invalid", func(ctx context.Context) error { return c.SendDTMF(ctx, h1, "abc") }, ErrInvalidData, 400, "invalid-data"},
		{"create with empty host", func(ctx context.Context) error { _, err := c.CreateAdhocConference(ctx, "", nil); return err }, ErrInvalidData, 400, "invalid-data"},
		{"create host not found", func(ctx context.Context) error { _, err := c.CreateAdhocConference(ctx, "9.9", nil); return err }, ErrHostCallNotFound, 400, "host-call-not-found"},
		{"create lone host", func(ctx context.Context) error { _, err := c.CreateAdhocConference(ctx, lone.CallID, nil); return err }, ErrHostCallCreation, 400, "host-call-creation-error"},
		{"create participant not found", func(ctx context.Context) error {
			_, err := c.CreateAdhocConference(ctx, h3, []string{"9.9"})
			return err
		}, ErrParticipantCallNotFound, 400, "participant-call-not-found"},
		{"create host already in conference", func(ctx context.Context) error { _, err := c.CreateAdhocConference(ctx, h1, nil); return err }, ErrHostAlreadyInConference, 409, "host-already-in-conference"},
		{"add to missing conference", func(ctx context.Context) error { return c.AddAdhocParticipant(ctx, "nope", p3) }, ErrAdhocConferenceNotFound, 404, "adhoc-conference-not-found"},
		{"add member again", func(ctx context.Context) error { return c.AddAdhocParticipant(ctx, cid, p1) }, ErrParticipantAlreadyInConference, 409, "participant-already-in-conference"},
		{"add lone", func(ctx context.Context) error { return c.AddAdhocParticipant(ctx, cid, lone.CallID) }, ErrParticipantCallNotFound, 400, "participant-call-not-found"},
		{"remove non-member", func(ctx context.Context) error { return c.RemoveAdhocParticipant(ctx, cid, p3) }, ErrParticipantCallNotFound, 400, "participant-call-not-found"},
		{"delete missing conference", func(ctx context.Context) error { return c.DeleteAdhocConference(ctx, "nope") }, ErrAdhocConferenceNotFound, 404, "adhoc-conference-not-found"},
		{"transfer of missing call", func(ctx context.Context) error {
			_, err := c.CreateTransfer(ctx, TransferRequest{InitiatorCall: "9.9", Exten: "1"})
			return err
		}, ErrTransferCreation, 400, "transfer-creation-error"},
		{"complete missing transfer", func(ctx context.Context) error { return c.CompleteTransfer(ctx, "nope") }, ErrNoSuchTransfer, 404, "no-such-transfer"},
		{"cancel missing transfer", func(ctx context.Context) error { return c.CancelTransfer(ctx, "nope") }, ErrNoSuchTransfer, 404, "no-such-transfer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(ctx(t))
			var ae *APIError
			if !errors.Is(err, tc.want) || !errors.As(err, &ae) || ae.Status != tc.status || ae.ErrorID != tc.errorID {
				t.Fatalf("got %v (%+v), want %v", err, ae, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want.Error()) {
				t.Fatalf("message %q", err)
			}
		})
	}

	// Success paths of the remaining routes.
	if err := c.AddAdhocParticipant(ctx(t), cid, p3); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveAdhocParticipant(ctx(t), cid, p3); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAdhocConference(ctx(t), cid); err != nil {
		t.Fatal(err)
	}
	h4, _ := aliceCall(t, m, aliceUUID)
	for _, f := range []func() error{
		func() error { return c.Mute(ctx(t), h4) }, func() error { return c.Unmute(ctx(t), h4) },
		func() error { return c.Hold(ctx(t), h4) }, func() error { return c.Resume(ctx(t), h4) },
		func() error { return c.Answer(ctx(t), h4) }, func() error { return c.SendDTMF(ctx(t), h4, "12#") },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	// 1004 never answers: the attended transfer stays in ringback until cancelled.
	tr, err := c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: h4, Exten: "1004", Flow: "attended"})
	if err != nil || tr.ID == "" {
		t.Fatalf("transfer %+v %v", tr, err)
	}
	if list, err := c.Transfers(ctx(t)); err != nil || len(list) != 1 {
		t.Fatalf("transfers %v %v", list, err)
	}
	if err := c.CancelTransfer(ctx(t), tr.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(ctx(t), h4); err != nil {
		t.Fatal(err)
	}
}

func TestUnauthorizedIsTyped(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client(WithClientID(""))
	c.SetSession(Session{Token: "bogus", UserUUID: aliceUUID})
	_, err := c.Calls(ctx(t))
	// no refresh token → the session is reported expired
	if !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("err = %v", err)
	}
}
