package media

import (
	"testing"

	"github.com/pion/rtp"
)

func TestEventReceiver(t *testing.T) {
	pkt := func(ts uint32, event byte, end bool) *rtp.Packet {
		flags := byte(10) // volume −10 dBm0
		if end {
			flags |= 0x80
		}
		return &rtp.Packet{Header: rtp.Header{Timestamp: ts}, Payload: []byte{event, flags, 0x03, 0x20}}
	}
	stream := []*rtp.Packet{
		pkt(1000, 5, false), pkt(1000, 5, false), pkt(1000, 5, true), pkt(1000, 5, true), pkt(1000, 5, true), // "5", end sent 3 times
		pkt(2000, 11, false), pkt(2000, 11, true), // "#"
		pkt(3000, 10, true), // "*", start lost: the end still counts
		pkt(4000, 16, true), // not a DTMF event (flash): ignored
		{Header: rtp.Header{Timestamp: 5000}, Payload: []byte{1, 0x80}}, // truncated
		pkt(6000, 0, true), pkt(6000, 0, true),
	}
	var r eventReceiver
	var got string
	for _, p := range stream {
		if d, ok := r.end(p); ok {
			got += string(d)
		}
	}
	if got != "5#*0" {
		t.Errorf("digits %q, want %q", got, "5#*0")
	}
}
