package wazoline

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
	"github.com/parley-voip/parley/wazo"
)

// TestLineBlindTransferThroughCalld: the line's API transfers with calld,
// not REFER. A refused transfer (an extension the dial plan lacks) leaves
// the call up with a typed error; a good one ends the agent's call as
// transferred, and the stand-in's Asterisk connects the Tone Bot the agent
// was talking to with the Silent Bot (1005), which hears its 440 Hz.
func TestLineBlindTransferThroughCalld(t *testing.T) {
	e := newEnv(t)
	l := e.connectLine(t, "alice", "secret")
	pe := phonetest.Record(t, l.Phone())
	ctx := testCtx(t)
	out, err := l.Phone().Call(ctx, "1001")
	if err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallAccepted, out.SIPCallID, nil)
	cs := session(t, l, out.SIPCallID, "the calld call talking to the bot", func(cs phone.CallSession) bool {
		return cs.CallID != "" && cs.Call != nil && len(cs.Call.TalkingTo) == 1
	})
	var bot string
	for id := range cs.Call.TalkingTo {
		bot = id
	}

	err = l.API().Transfer(ctx, out.SIPCallID, "4242")
	if !errors.Is(err, wazo.ErrInvalidExtension) {
		t.Fatalf("transfer to 4242: %v", err)
	}
	if s, ok := l.Phone().Session(out.SIPCallID); !ok || s.Status != phone.StatusEstablished {
		t.Fatalf("the refused transfer ended the call: %+v", s)
	}
	if refer := e.stack.Calls().Transfers(aliceUUID); len(refer) != 0 {
		t.Fatalf("transfers left: %+v", refer)
	}

	if err := l.API().Transfer(ctx, out.SIPCallID, "1005"); err != nil {
		t.Fatal(err)
	}
	pe.WaitCall(phone.EventCallTransferred, out.SIPCallID, nil)
	ended := pe.WaitCall(phone.EventCallEnded, out.SIPCallID, nil)
	if ended.EndReason != "the call was transferred to 1005" {
		t.Fatalf("end reason %q", ended.EndReason)
	}
	var recipient string
	waitFor(t, "the Tone Bot talking to the Silent Bot", func() bool {
		c, ok := e.stack.Calls().Get(bot)
		if !ok || len(c.TalkingTo) != 1 {
			return false
		}
		for id := range c.TalkingTo {
			recipient = id
		}
		r, ok := e.stack.Calls().Get(recipient)
		return ok && r.PeerCallerIDNumber == "1005" && r.Status == "Up"
	})
	peer, ok := e.stack.Peer(recipient)
	if !ok {
		t.Fatal("no peer on the recipient channel")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := peer.Heard()
		if n := len(h); n >= codec.SampleRate/2 && dsp.ToneRMS(h[n-codec.SampleRate/2:], codec.SampleRate, 440) >= 0.03 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Silent Bot never heard the Tone Bot's 440 Hz")
		}
		time.Sleep(20 * time.Millisecond) // polling the recording, not synchronising
	}
}
