package sipua

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"
)

const testTimeout = 30 * time.Second

type testHandler struct {
	regs     chan RegState
	incoming chan *Incoming
}

func newTestHandler() *testHandler {
	return &testHandler{regs: make(chan RegState, 256), incoming: make(chan *Incoming, 16)}
}

func (h *testHandler) OnRegistration(s RegState) {
	select {
	case h.regs <- s:
	default:
	}
}

func (h *testHandler) OnIncoming(_ context.Context, in *Incoming) { h.incoming <- in }

// waitReg waits for a registration event with the given status.
func (h *testHandler) waitReg(t *testing.T, want RegStatus) RegState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for {
		select {
		case s := <-h.regs:
			if s.Status == want {
				return s
			}
		case <-ctx.Done():
			t.Fatalf("no %v registration event", want)
		}
	}
}

func (h *testHandler) waitIncoming(t *testing.T) *Incoming {
	t.Helper()
	select {
	case in := <-h.incoming:
		return in
	case <-time.After(testTimeout):
		t.Fatal("no incoming call")
		return nil
	}
}

func testLogger() *slog.Logger {
	lvl := slog.LevelWarn
	if os.Getenv("SIPUA_DEBUG") != "" {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// newTestUA creates a UA closed at Cleanup.
func newTestUA(t *testing.T, cfg Config, h Handler) *UA {
	t.Helper()
	if cfg.LocalIP == "" {
		cfg.LocalIP = "127.0.0.1"
	}
	ua, err := New(cfg, h, WithLogger(testLogger()))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ua.Close(ctx)
	})
	return ua
}

// startDirectUA starts an unregistered UDP UA on 127.0.0.1 (peer-to-peer).
func startDirectUA(t *testing.T, server string) (*UA, *testHandler) {
	t.Helper()
	h := newTestHandler()
	ua := newTestUA(t, Config{
		Transport: "udp", Server: server, Username: "1001", Password: "secret",
		RegisterExpiry: -1,
	}, h)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return ua, h
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

const testSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

func itoa(i int) string { return strconv.Itoa(i) }
