package sipside

import (
	"context"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// mixPort is one channel's audio as the bridge sees it: 48 kHz mono 20 ms
// frames. pull gives what the party said during the last tick (false:
// nothing), push what it hears.
type mixPort interface {
	pull(frame []int16) bool
	push(frame []int16)
}

// bridgeMixer moves audio between the channels the call model bridges.
// Every 20 ms, for each bridge, each member hears the sum of all the others
// (mix-minus, the way Asterisk's softmix bridge builds a conference: no one
// hears themselves). A two-party bridge is the degenerate case: each side
// hears the other. The topology is re-read from the call model whenever an
// event says it may have changed.
type bridgeMixer struct {
	m *callmodel.Model

	mu    sync.Mutex
	ports map[string]mixPort // channel id → port

	dirty  atomic.Bool
	groups [][]mixPort // owned by run
	frames [][]int16   // owned by run
	has    []bool
	sum    []int32
	out    []int16
}

func newBridgeMixer(m *callmodel.Model) *bridgeMixer {
	x := &bridgeMixer{m: m, ports: map[string]mixPort{}, sum: make([]int32, codec.FrameSamples),
		out: make([]int16, codec.FrameSamples)}
	return x
}

func (x *bridgeMixer) add(channelID string, p mixPort) {
	x.mu.Lock()
	x.ports[channelID] = p
	x.mu.Unlock()
	x.invalidate()
}

func (x *bridgeMixer) remove(channelID string) {
	x.mu.Lock()
	delete(x.ports, channelID)
	x.mu.Unlock()
	x.invalidate()
}

// invalidate asks for a topology re-read on the next tick. Safe to call
// from a bus subscriber (under the call model's lock): it only sets a flag.
func (x *bridgeMixer) invalidate() { x.dirty.Store(true) }

// run ticks every 20 ms until ctx ends.
func (x *bridgeMixer) run(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			x.tick()
		}
	}
}

func (x *bridgeMixer) rebuild() {
	calls := x.m.All()
	byBridge := map[string][]string{}
	for _, c := range calls {
		if len(c.Bridges) > 0 {
			byBridge[c.Bridges[0]] = append(byBridge[c.Bridges[0]], c.CallID)
		}
	}
	ids := make([]string, 0, len(byBridge))
	for id := range byBridge {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.groups = x.groups[:0]
	for _, b := range ids {
		var g []mixPort
		for _, ch := range byBridge[b] {
			if p, ok := x.ports[ch]; ok {
				g = append(g, p)
			}
		}
		if len(g) >= 2 {
			x.groups = append(x.groups, g)
		}
	}
}

func (x *bridgeMixer) tick() {
	if x.dirty.Swap(false) {
		x.rebuild()
	}
	for _, g := range x.groups {
		for len(x.frames) < len(g) {
			x.frames = append(x.frames, make([]int16, codec.FrameSamples))
			x.has = append(x.has, false)
		}
		for i := range x.sum {
			x.sum[i] = 0
		}
		for i, p := range g {
			x.has[i] = p.pull(x.frames[i])
			if x.has[i] {
				for k, v := range x.frames[i] {
					x.sum[k] += int32(v)
				}
			}
		}
		for i, p := range g {
			for k := range x.out {
				v := x.sum[k]
				if x.has[i] {
					v -= int32(x.frames[i][k])
				}
				x.out[k] = clip16(v)
			}
			p.push(x.out)
		}
	}
}

func clip16(v int32) int16 {
	if v > math.MaxInt16 {
		return math.MaxInt16
	}
	if v < math.MinInt16 {
		return math.MinInt16
	}
	return int16(v)
}
