package selftest

import (
	"sync"
	"time"

	"github.com/parley-voip/parley/phone"
)

// CallQuality is the last quality report of one call.
type CallQuality struct {
	CallID  string        `json:"callId"`
	Peer    string        `json:"peer,omitempty"`
	Updated time.Time     `json:"updated"`
	Ended   bool          `json:"ended"`
	Quality phone.Quality `json:"quality"`
}

// QualityLog keeps the last quality figures (phone.Quality, with its MOS
// estimate from phone.EstimateMOS) of the most recent calls, for the
// diagnostics bundle. Its goroutine runs until Close.
type QualityLog struct {
	mu    sync.Mutex
	calls []CallQuality // oldest first
	limit int
	stop  func()
	done  chan struct{}
}

// NewQualityLog follows api's events, keeping up to limit calls.
func NewQualityLog(api interface {
	Subscribe() (<-chan phone.Event, func())
}, limit int) *QualityLog {
	events, stop := api.Subscribe()
	q := &QualityLog{limit: max(limit, 1), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(q.done)
		for ev := range events {
			q.record(ev)
		}
	}()
	return q
}

// Record keeps ev's figures when it carries some (call_quality, and the
// summary on call_ended).
func (q *QualityLog) record(ev phone.Event) {
	if ev.Quality == nil || ev.Call == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	c := CallQuality{CallID: ev.Call.SIPCallID, Peer: ev.Call.Number, Updated: ev.Time, Ended: ev.Type == phone.EventCallEnded, Quality: *ev.Quality}
	for i := range q.calls {
		if q.calls[i].CallID == c.CallID {
			q.calls = append(q.calls[:i], q.calls[i+1:]...)
			break
		}
	}
	q.calls = append(q.calls, c)
	if len(q.calls) > q.limit {
		q.calls = q.calls[len(q.calls)-q.limit:]
	}
}

// Calls returns the kept reports, oldest first.
func (q *QualityLog) Calls() []CallQuality {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]CallQuality(nil), q.calls...)
}

// Close stops following the events.
func (q *QualityLog) Close() {
	q.stop()
	<-q.done
}
