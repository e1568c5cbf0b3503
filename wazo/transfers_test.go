package wazo

import (
	"errors"
	"sync/atomic"
	"testing"
)

// TestTransfersAPI drives calld's transfers routes of the stand-in: an
// attended transfer to the Chord Bot (1002) is answered, the user talks to
// it, then completes; the transferred party ends up talking to the bot and
// every transfer event reaches the socket decoded. A refusal is typed.
func TestTransfersAPI(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)
	m := e.stack.Calls()

	mine, remote := aliceCall(t, m, aliceUUID)
	_, err := c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: mine, Exten: "4242"})
	var ae *APIError
	if !errors.Is(err, ErrInvalidExtension) || !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("unknown extension: %v", err)
	}
	_, err = c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: mine, Exten: "1002", Flow: "sideways"})
	if !errors.As(err, &ae) || ae.Status != 400 || ae.ErrorID != "invalid-data" {
		t.Fatalf("bad flow: %v", err)
	}

	tr, err := c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: mine, Exten: "1002", Flow: TransferAttended})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != TransferStatusRingback || tr.TransferredCall != remote || tr.InitiatorCall != mine || tr.RecipientCall == nil {
		t.Fatalf("created %+v", tr)
	}
	recipient := *tr.RecipientCall
	waitFor(t, "transfer_answered", func() bool {
		_, ok := evs.find(func(ev Event) bool {
			got, err := ev.Transfer()
			return ev.Name == "transfer_answered" && err == nil && got.ID == tr.ID && got.Status == TransferStatusAnswered
		})
		return ok
	})
	if cl, _ := m.Get(mine); len(cl.TalkingTo) != 1 || cl.TalkingToIDs()[0] != recipient {
		t.Fatalf("the user does not talk to the recipient: %+v", cl.TalkingTo)
	}
	if list, err := c.Transfers(ctx(t)); err != nil || len(list) != 1 || list[0].ID != tr.ID {
		t.Fatalf("transfers %+v %v", list, err)
	}
	if _, err := c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: mine, Exten: "1001"}); !errors.Is(err, ErrTransferAlreadyStarted) {
		t.Fatalf("second transfer: %v", err)
	}
	if err := c.CompleteTransfer(ctx(t), tr.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "transfer_ended", func() bool {
		_, ok := evs.find(func(ev Event) bool { return ev.Name == "transfer_ended" && ev.IsTransferEvent() })
		return ok
	})
	if _, ok := m.Get(mine); ok {
		t.Fatal("the user's channel outlived the transfer")
	}
	if cl, ok := m.Get(remote); !ok || len(cl.TalkingTo) != 1 || cl.TalkingToIDs()[0] != recipient {
		t.Fatalf("the transferred party does not talk to the recipient: %+v", cl)
	}
	if err := c.CancelTransfer(ctx(t), tr.ID); !errors.Is(err, ErrNoSuchTransfer) {
		t.Fatalf("cancel an ended transfer: %v", err)
	}

	// 1004 never answers: the request's timeout hangs the recipient up,
	// which cancels the transfer and gives the user the call back.
	mine, remote = aliceCall(t, m, aliceUUID)
	slow, err := c.CreateTransfer(ctx(t), TransferRequest{InitiatorCall: mine, Exten: "1004", Timeout: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the unanswered transfer cancelled", func() bool {
		_, ok := evs.find(func(ev Event) bool {
			got, err := ev.Transfer()
			return ev.Name == "transfer_cancelled" && err == nil && got.ID == slow.ID
		})
		return ok
	})
	if cl, _ := m.Get(mine); len(cl.TalkingTo) != 1 || cl.TalkingToIDs()[0] != remote {
		t.Fatalf("the user is not back with the transferred party: %+v", cl.TalkingTo)
	}
}

func TestTransferEventDecoding(t *testing.T) {
	cases := []struct {
		name, data string
		isTransfer bool
		wantErr    bool
	}{
		{"transfer_created", `{"id":"t1","status":"ringback","flow":"attended","recipient_call":"1.2"}`, true, false},
		{"transfer_ended", `{"id":"t1","status":"ended","recipient_call":null}`, true, false},
		{"transfer_updated", `{"status":"ready"}`, true, true},
		{"transfer_completed", `[1,2]`, true, true},
		{"transferring", `{}`, false, false},
		{"call_updated", `{}`, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Event{Name: tc.name, Data: []byte(tc.data)}
			if ev.IsTransferEvent() != tc.isTransfer {
				t.Fatalf("IsTransferEvent = %v", !tc.isTransfer)
			}
			if !tc.isTransfer {
				return
			}
			_, err := ev.Transfer()
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrBadResponse)) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
