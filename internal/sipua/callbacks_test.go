package sipua

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// infoLog records INFO bodies in the order the handler saw them. The first
// body it is given takes a while, as a handler busy with a slow callback
// would: the requests after it must wait their turn, not overtake it.
type infoLog struct {
	*recHandler
	mu      sync.Mutex
	bodies  []string
	got     chan struct{}
	blocked chan struct{} // closed when a callback waits for the UA to close
	ended   chan struct{} // closed when that callback returned
	block   bool
}

func newInfoLog() *infoLog {
	return &infoLog{recHandler: newRecHandler(false), got: make(chan struct{}, 64),
		blocked: make(chan struct{}), ended: make(chan struct{})}
}

func (h *infoLog) OnInfo(ctx context.Context, _ string, body []byte) {
	b := string(body)
	switch {
	case b == "wait-for-close":
		close(h.blocked)
		<-ctx.Done()
		close(h.ended)
		return
	case h.block && h.order() == "":
		select {
		case <-time.After(300 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, b)
	h.mu.Unlock()
	h.got <- struct{}{}
}

func (h *infoLog) order() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.bodies, "")
}

// TestInfoCallbacksKeepTheirOrder: DTMF digits sent as INFO reach the
// handler in the order they were sent, even when handling the first one
// takes longer than the far end waits before sending the next.
func TestInfoCallbacksKeepTheirOrder(t *testing.T) {
	b, hb := startDirectUA(t, "127.0.0.1:9")
	a, _ := startDirectUA(t, b.LocalAddr())
	h := newInfoLog()
	h.block = true
	da, _ := call(t, a, hb, h)
	const digits = "123456789"
	for _, d := range digits {
		if err := da.Info(ctxT(t), "application/dtmf-relay", []byte(string(d))); err != nil {
			t.Fatal(err)
		}
	}
	for range digits {
		recv(t, h.got, "an INFO callback")
	}
	if got := h.order(); got != digits {
		t.Fatalf("the handler heard the digits as %q, sent %q", got, digits)
	}
}

// TestOutOfOrderRequestIsRefused: RFC 3261 §12.2.2, a request whose CSeq
// is below one already received in the dialog is answered 500 and never
// reaches the handler.
func TestOutOfOrderRequestIsRefused(t *testing.T) {
	b, hb := startDirectUA(t, "127.0.0.1:9")
	a, _ := startDirectUA(t, b.LocalAddr())
	h := newInfoLog()
	da, _ := call(t, a, hb, h)
	if err := da.Info(ctxT(t), "application/dtmf-relay", []byte("1")); err != nil {
		t.Fatal(err)
	}
	recv(t, h.got, "the first INFO")
	old := da.newRequest(sip.INFO, 1) // below the INVITE's and the first INFO's CSeq
	old.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	old.SetBody([]byte("2"))
	res, err := da.do(ctxT(t), old)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 500 {
		t.Fatalf("out-of-order INFO answered %d %s, want 500", res.StatusCode, res.Reason)
	}
	if err := da.Info(ctxT(t), "application/dtmf-relay", []byte("3")); err != nil {
		t.Fatal(err)
	}
	recv(t, h.got, "the INFO after the refused one")
	if got := h.order(); got != "13" {
		t.Fatalf("the handler heard %q, want %q", got, "13")
	}
}

// TestCloseEndsRunningCallbacks: a callback still running when the UA
// closes sees its context cancelled, and Close returns only after it has.
func TestCloseEndsRunningCallbacks(t *testing.T) {
	b, hb := startDirectUA(t, "127.0.0.1:9")
	a, _ := startDirectUA(t, b.LocalAddr())
	h := newInfoLog()
	da, _ := call(t, a, hb, h)
	if err := da.Info(ctxT(t), "application/dtmf-relay", []byte("wait-for-close")); err != nil {
		t.Fatal(err)
	}
	recv(t, h.blocked, "the callback to start")
	if err := b.Close(ctxT(t)); err != nil {
		t.Logf("close: %v", err)
	}
	select {
	case <-h.ended:
	default:
		t.Fatal("Close returned while a callback it started was still running")
	}
	if b.spawn(func(context.Context) { t.Error("work started after Close") }) {
		t.Fatal("the closed UA accepted new work")
	}
}
