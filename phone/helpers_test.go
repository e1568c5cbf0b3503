package phone_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
)

// eventWait is how long a test waits for an event before it fails. It is a
// ceiling for a broken build, not a performance assertion.
const eventWait = 20 * time.Second

// newPhone registers a phone for user at kamailio over the given transport.
func newPhone(t *testing.T, kam *testrig.Kamailio, transport, user string, opts ...phone.Option) *phone.Phone {
	t.Helper()
	acct := phone.Account{Transport: transport, Server: kam.UDPAddr, Username: user, Password: "secret", DisplayName: "Test " + user}
	switch transport {
	case "tcp":
		acct.Server = kam.TCPAddr
	case "ws":
		acct.Server = strings.TrimPrefix(kam.WSURL, "ws://")
	}
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		opts = append(opts, phone.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append([]phone.Option{
		phone.WithLocalIP("127.0.0.1"),
		phone.WithMedia(rtc.Config{IncludeLoopback: true}),
		phone.WithQualityInterval(0),
	}, opts...)
	p, err := phone.New(acct, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), eventWait)
	defer cancel()
	if err := p.Connect(ctx); err != nil {
		t.Fatalf("connect %s over %s: %v", user, transport, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Disconnect(ctx)
	})
	kam.WaitContacts(t, user, 1, eventWait)
	return p
}

func scenario(name string) string { return filepath.Join("testdata", "sipp", name) }

// scenarioWith writes a copy of a scenario with old replaced by new.
func scenarioWith(t *testing.T, name, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(scenario(name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitSipp waits for sipp and fails the test unless every call succeeded.
func waitSipp(t *testing.T, s *testrig.Sipp) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := s.Wait(ctx)
	if err != nil {
		t.Fatalf("sipp: %v", err)
	}
	if res.ExitCode != 0 || res.Successful != 1 {
		t.Fatalf("sipp: exit %d, %d successful, %d failed\n%s", res.ExitCode, res.Successful, res.Failed, res.Output)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
