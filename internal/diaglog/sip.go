package diaglog

import (
	"fmt"
	"time"
)

// DefaultSIPMessages is how many SIP messages a SIPTrace keeps by default.
const DefaultSIPMessages = 200

// SIPTrace keeps the last SIP messages sent and received, redacted. It
// implements sipgo's sip.SIPTracer (SIPTraceRead, SIPTraceWrite), the one
// place sipgo shows every message on every transport.
type SIPTrace struct {
	ring *Ring
	now  func() time.Time
}

// NewSIPTrace returns a trace keeping the last n messages.
func NewSIPTrace(n int) *SIPTrace { return &SIPTrace{ring: NewRing(n), now: time.Now} }

// SIPTraceRead records a received message.
func (t *SIPTrace) SIPTraceRead(transport, laddr, raddr string, msg []byte) {
	t.add(fmt.Sprintf("%s %s received on %s from %s", t.stamp(), transport, laddr, raddr), msg)
}

// SIPTraceWrite records a sent message.
func (t *SIPTrace) SIPTraceWrite(transport, laddr, raddr string, msg []byte) {
	t.add(fmt.Sprintf("%s %s sent from %s to %s", t.stamp(), transport, laddr, raddr), msg)
}

func (t *SIPTrace) stamp() string { return t.now().UTC().Format("2006-01-02T15:04:05.000Z") }

func (t *SIPTrace) add(head string, msg []byte) {
	t.ring.Add("=== " + head + " ===\n" + RedactText(string(msg)))
}

// Messages returns the kept messages, oldest first.
func (t *SIPTrace) Messages() []string { return t.ring.Entries() }
