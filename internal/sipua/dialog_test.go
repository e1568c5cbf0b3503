package sipua

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

type recHandler struct {
	reinvites chan []byte
	infos     chan string
	refers    chan string
	notifies  chan string
	bye       chan struct{}
	accept    atomic.Bool
}

func newRecHandler(accept bool) *recHandler {
	h := &recHandler{reinvites: make(chan []byte, 8), infos: make(chan string, 8), refers: make(chan string, 8),
		notifies: make(chan string, 8), bye: make(chan struct{}, 1)}
	h.accept.Store(accept)
	return h
}

func (h *recHandler) OnReInvite(_ context.Context, offer []byte) ([]byte, int) {
	h.reinvites <- offer
	if bytes.Contains(offer, []byte("a=sendonly")) {
		return []byte(strings.Replace(testSDP, "a=sendrecv", "a=recvonly", 1)), 200
	}
	return []byte(testSDP), 0
}
func (h *recHandler) OnBye(context.Context) { h.bye <- struct{}{} }
func (h *recHandler) OnRefer(_ context.Context, target string) bool {
	h.refers <- target
	return h.accept.Load()
}
func (h *recHandler) OnInfo(_ context.Context, ct string, body []byte) {
	h.infos <- ct + "|" + string(body)
}
func (h *recHandler) OnNotify(_ context.Context, ev, ct string, body []byte) {
	h.notifies <- ev + "|" + string(body)
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctxT(t).Done():
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// call sets up a call from a to b (both our UAs, direct UDP) and returns
// both dialogs.
func call(t *testing.T, a *UA, hb *testHandler, bh DialogHandler) (*Dialog, *Dialog) {
	t.Helper()
	type res struct {
		d   *Dialog
		err error
	}
	ch := make(chan res, 1)
	go func() {
		d, err := a.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
		ch <- res{d, err}
	}()
	in := hb.waitIncoming(t)
	in.Dialog().SetHandler(bh)
	db, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	return r.d, db
}

func TestUAtoUADialogFeatures(t *testing.T) {
	b, hb := startDirectUA(t, "127.0.0.1:9")
	a, _ := startDirectUA(t, b.LocalAddr())
	bh := newRecHandler(true)
	da, db := call(t, a, hb, bh)
	ah := newRecHandler(false)
	da.SetHandler(ah)

	if da.CallID() != db.CallID() || da.LocalTag() != db.RemoteTag() || da.RemoteTag() != db.LocalTag() {
		t.Fatalf("dialog ids differ: %s/%s/%s vs %s/%s/%s", da.CallID(), da.LocalTag(), da.RemoteTag(),
			db.CallID(), db.LocalTag(), db.RemoteTag())
	}
	ctx := ctxT(t)

	t.Run("hold re-INVITE from caller", func(t *testing.T) {
		hold := []byte(strings.Replace(testSDP, "a=sendrecv", "a=sendonly", 1))
		ans, err := da.ReInvite(ctx, hold)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(ans, []byte("a=recvonly")) {
			t.Errorf("answer = %q", ans)
		}
		if off := recv(t, bh.reinvites, "re-INVITE at callee"); !bytes.Contains(off, []byte("a=sendonly")) {
			t.Errorf("offer = %q", off)
		}
	})
	t.Run("re-INVITE from callee", func(t *testing.T) {
		if _, err := db.ReInvite(ctx, []byte(testSDP)); err != nil {
			t.Fatal(err)
		}
		recv(t, ah.reinvites, "re-INVITE at caller")
	})
	t.Run("INFO dtmf", func(t *testing.T) {
		if err := da.Info(ctx, "application/dtmf-relay", []byte("Signal=5\r\nDuration=160\r\n")); err != nil {
			t.Fatal(err)
		}
		if got := recv(t, bh.infos, "INFO"); !strings.HasPrefix(got, "application/dtmf-relay|Signal=5") {
			t.Errorf("info = %q", got)
		}
	})
	t.Run("blind REFER accepted", func(t *testing.T) {
		done := make(chan error, 1)
		go func() { done <- da.Refer(ctx, "1003", nil) }()
		if got := recv(t, bh.refers, "REFER"); got != "sip:1003@127.0.0.1" {
			t.Errorf("Refer-To = %q", got)
		}
		if got := recv(t, ah.notifies, "NOTIFY 100"); !strings.Contains(got, "100 Trying") {
			t.Errorf("notify = %q", got)
		}
		if err := db.NotifyRefer(ctx, 200, "OK"); err != nil {
			t.Fatal(err)
		}
		if err := recv(t, done, "Refer result"); err != nil {
			t.Errorf("Refer: %v", err)
		}
	})
	t.Run("attended REFER declined", func(t *testing.T) {
		da2, db2 := call(t, a, hb, newRecHandler(false))
		_ = db2
		bh.accept.Store(false)
		done := make(chan error, 1)
		go func() { done <- da.Refer(ctx, "", da2) }()
		got := recv(t, bh.refers, "attended REFER")
		want := "?Replaces=" + escapeURIHeader(da2.CallID()) + "%3Bto-tag%3D" + da2.RemoteTag()
		if !strings.Contains(got, want) {
			t.Errorf("Refer-To = %q, want containing %q", got, want)
		}
		err := recv(t, done, "Refer result")
		var se *StatusError
		if !errors.Is(err, ErrTransferFailed) || !errors.As(err, &se) || se.Code != 603 {
			t.Errorf("Refer err = %v", err)
		}
		if err := da2.Bye(ctx); err != nil {
			t.Errorf("Bye 2: %v", err)
		}
	})
	t.Run("BYE from callee", func(t *testing.T) {
		if err := db.Bye(ctx); err != nil {
			t.Fatal(err)
		}
		recv(t, ah.bye, "OnBye")
		<-da.Done()
		if byRemote, _, _ := da.EndReason(); !byRemote {
			t.Error("caller: byRemote = false")
		}
		if _, err := da.ReInvite(ctx, []byte(testSDP)); !errors.Is(err, ErrDialogTerminated) {
			t.Errorf("ReInvite after BYE: %v", err)
		}
	})
	if a.Dialogs().Len() != 0 || b.Dialogs().Len() != 0 {
		t.Errorf("registries not empty: %d %d", a.Dialogs().Len(), b.Dialogs().Len())
	}
}

func TestCloseHangsUpAndStops(t *testing.T) {
	b, hb := startDirectUA(t, "127.0.0.1:9")
	a, _ := startDirectUA(t, b.LocalAddr())
	bh := newRecHandler(false)
	da, _ := call(t, a, hb, bh)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	<-da.Done()
	recv(t, bh.bye, "BYE at callee")
	if _, err := a.Dial(ctx, "1002", nil, DialOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Dial after Close: %v", err)
	}
	if _, err := a.Dial(ctx, "bad target", nil, DialOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Dial after Close: %v", err)
	}
}

func TestDialValidation(t *testing.T) {
	a, _ := startDirectUA(t, "127.0.0.1:9")
	ctx := ctxT(t)
	if _, err := a.Dial(ctx, "10 02", nil, DialOptions{}); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("bad target: %v", err)
	}
	if _, err := a.Dial(ctx, "1002", nil, DialOptions{Headers: []Header{{"X-A", "v\r\nEvil: 1"}}}); err == nil {
		t.Error("CRLF header value accepted")
	}
	if _, err := a.Dial(ctx, "1002", nil, DialOptions{Headers: []Header{{"X A", "v"}}}); err == nil {
		t.Error("bad header name accepted")
	}
	if _, err := a.Dial(ctx, "1002", nil, DialOptions{CallID: "a\r\nb"}); err == nil {
		t.Error("bad Call-ID accepted")
	}
	u, _ := New(Config{Transport: "udp", Server: "127.0.0.1:9", Username: "x"}, nil)
	if _, err := u.Dial(ctx, "1002", nil, DialOptions{}); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Dial before Start: %v", err)
	}
}
