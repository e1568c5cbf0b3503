package media

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestOfferShape checks the offer against what Asterisk sends for a
// webrtc=yes endpoint (docs/wazo-protocol.md, Lines and registration).
func TestOfferShape(t *testing.T) {
	s, err := New(WithLoopback(true))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	offer, err := s.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sdp := string(offer)
	for _, want := range []string{"UDP/TLS/RTP/SAVPF", "a=group:BUNDLE", "a=rtcp-mux", "a=setup:actpass",
		"a=fingerprint:sha-256", "a=rtpmap:107 opus/48000/2", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000", "a=candidate:", "a=sendrecv"} {
		if !strings.Contains(sdp, want) {
			t.Errorf("offer lacks %q:\n%s", want, sdp)
		}
	}
	if strings.Contains(sdp, "ice-lite") {
		t.Errorf("Asterisk runs full ICE, the offer says ice-lite:\n%s", sdp)
	}
}

// TestAnswerHold checks RFC 3264 §6.1 directions and the active DTLS role
// of an answer, against an offer from a second session.
func TestAnswerHold(t *testing.T) {
	a, err := New(WithLoopback(true))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(WithLoopback(true))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	offer, err := a.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held := withDirection(string(offer), "sendonly")
	ans, err := b.Answer(ctx, []byte(held))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ans), "a=recvonly") || !strings.Contains(string(ans), "a=setup:active") {
		t.Errorf("answer to a sendonly offer:\n%s", ans)
	}
	if c := b.Codec(); c.Name != "OPUS" || c.PayloadType != 107 || c.DTMFPayloadType != 101 {
		t.Errorf("codec %+v", c)
	}
	if err := a.SetAnswer(ans); err != nil {
		t.Fatal(err)
	}
}
