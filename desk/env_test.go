package desk

import (
	"context"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// env is a Desk on a real Wazo line signed in to the demo stand-in (HTTPS,
// event websocket, SIP over WSS).
type env struct {
	demo *demo.Demo
	line *wazoline.Line
	desk *Desk
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	cctx, ccancel := context.WithTimeout(ctx, 60*time.Second)
	defer ccancel()
	line, err := wazoline.Connect(cctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(d.CertificateSHA256()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	dk := New(line)
	t.Cleanup(dk.Close)
	return &env{demo: d, line: line, desk: dk}
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
