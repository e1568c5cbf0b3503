package rtc

import (
	"bytes"
	"errors"
	"testing"
)

// The 183's SDP is applied as the answer and media flows before the 200;
// the 200's answer then replaces it (RFC 3261 §13.2.1: the 2xx carries
// the answer) without a new ICE or DTLS handshake when it comes from the
// same far end, and is refused when another fork answered.
func TestReplaceAnswer(t *testing.T) {
	tests := []struct {
		name    string
		final   func(early []byte, other *Session) []byte
		wantErr error
		local   Direction
	}{
		{name: "same SDP", final: func(early []byte, _ *Session) []byte { return early }, local: DirectionSendRecv},
		{
			name: "direction changed",
			final: func(early []byte, _ *Session) []byte {
				return bytes.Replace(early, []byte("a=sendrecv"), []byte("a=sendonly"), 1)
			},
			local: DirectionRecvOnly,
		},
		{
			name: "another fork answered",
			final: func([]byte, *Session) []byte {
				return nil // replaced below with the other session's answer
			},
			wantErr: ErrMediaMoved,
			local:   DirectionSendRecv,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := ctxT(t)
			a, b := newTestSession(t), newTestSession(t)
			sinkA := newSink(a)
			offer, err := a.CreateOffer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			early, err := b.Answer(ctx, offer)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetAnswer(early); err != nil {
				t.Fatal(err)
			}
			if err := a.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}
			sendUntil(ctx, t, b, sinkA, 5, frameFor(0xB1, 80))

			final := tc.final(early, nil)
			if tc.wantErr != nil {
				fork := newTestSession(t)
				if final, err = fork.Answer(ctx, offer); err != nil {
					t.Fatal(err)
				}
			}
			err = a.ReplaceAnswer(final)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ReplaceAnswer: %v, want %v", err, tc.wantErr)
			}
			if got := a.LocalDirection(); got != tc.local {
				t.Fatalf("local direction %v, want %v", got, tc.local)
			}
			// The early-media connection still carries the call.
			sinkA.reset()
			sendUntil(ctx, t, b, sinkA, 5, frameFor(0xB2, 80))
			checkStream(t, sinkA, 0xB2, 80, 111, 960)
			if a.State() != StateConnected {
				t.Fatalf("state %v after the final answer", a.State())
			}
		})
	}
}

func TestReplaceAnswerNeedsAnAnswer(t *testing.T) {
	a := newTestSession(t)
	if _, err := a.CreateOffer(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := a.ReplaceAnswer([]byte("v=0\r\n")); !errors.Is(err, ErrWrongState) {
		t.Fatalf("ReplaceAnswer before any answer: %v, want ErrWrongState", err)
	}
}
