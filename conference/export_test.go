package conference

import (
	"testing"

	"github.com/parley-voip/parley/wazoline"
)

// Seams for the external tests of this directory (package conference_test):
// the headless conference commands live in package headless, which imports
// this one, so their tests on this package's fixtures cannot be internal.

// Tones of the stack's calling peers.
const (
	ToneA = toneA
	ToneB = toneB
	ToneC = toneC
)

// StackParty is a peer that called the agent on the demo stack.
type StackParty struct {
	SIP  string // the agent's dialog with it
	Peer string // its channel (the remote call id)
}

// StackEnv is the demo stack with the agent's line and calld backend.
type StackEnv struct{ e *stackEnv }

// NewStackEnv starts the stack; t's cleanup stops it.
func NewStackEnv(t *testing.T) StackEnv { return StackEnv{newStackEnv(t)} }

// Line is the agent's Wazo line.
func (s StackEnv) Line() *wazoline.Line { return s.e.line }

// Conf is the line's calld backend.
func (s StackEnv) Conf() *Wazo { return s.e.conf }

// Ring has a tone peer call the agent and accepts it.
func (s StackEnv) Ring(t *testing.T, number, name string, tone float64) StackParty {
	p := s.e.ring(t, number, name, tone)
	return StackParty{SIP: p.sip, Peer: p.peer}
}

// NewLocalForTest is a local backend on ph with a mixer that only records.
func NewLocalForTest(ph localPhone) *Local { return newLocal(ph, &fakeMixer{}) }

// WaitFor polls cond until it holds or the test times out.
func WaitFor(t *testing.T, what string, cond func() bool) { t.Helper(); waitFor(t, what, cond) }
