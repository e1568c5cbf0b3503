package cli

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

func TestParseDialArgument(t *testing.T) {
	cases := []struct {
		args     []string
		wantDial string
		wantErr  bool
	}{
		{args: []string{"sip:1002@pbx"}, wantDial: "sip:1002@pbx"},
		{args: []string{"-demo", "tel:+1-555-0100"}, wantDial: "+15550100"},
		{args: []string{"callto://1002"}, wantDial: "1002"},
		{args: []string{"tel:"}, wantErr: true},
		{args: []string{"http://example.com"}, wantErr: true},
		{args: []string{"sip:1@a", "sip:2@b"}, wantErr: true},
		{args: nil, wantDial: ""},
	}
	for _, c := range cases {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		s, err := Parse(c.args, func(string) string { return "" }, io.Discard)
		if c.wantErr {
			if !errors.Is(err, ErrUsage) {
				t.Errorf("Parse(%q): %v, want a usage error", c.args, err)
			}
			continue
		}
		if err != nil || s.Dial != c.wantDial {
			t.Errorf("Parse(%q) = Dial %q, %v; want %q", c.args, s.Dial, err, c.wantDial)
		}
	}
}

func TestParseVersionSkipsTheAccount(t *testing.T) {
	// -version must work even with a broken account file, so support can
	// always ask for it.
	s, err := Parse([]string{"-version", "-config", "/nonexistent/account.json"}, func(string) string { return "" }, io.Discard)
	if err != nil || !s.ShowVersion {
		t.Fatalf("Parse(-version) = %+v, %v", s, err)
	}
}

func TestMainVersion(t *testing.T) {
	var out, errOut strings.Builder
	if rc := Main([]string{"-version"}, strings.NewReader(""), &out, &errOut); rc != 0 {
		t.Fatalf("exit %d, stderr %q", rc, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "Parley ") {
		t.Fatalf("stdout %q", out.String())
	}
}

func TestDialWhenReadyWaitsForRegistration(t *testing.T) {
	e := phonetest.New()
	defer e.Close()
	done := make(chan struct{})
	go func() {
		dialWhenReady(context.Background(), e, "sip:1002@pbx", io.Discard)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	if n := len(e.Calls()); n != 0 {
		t.Fatalf("%d call(s) before the line registered", n)
	}
	e.SetRegistration(phone.Registration{State: phone.RegRegistered})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no call after registration")
	}
	calls := e.Calls()
	if len(calls) != 1 || !strings.Contains(calls[0].Number+calls[0].RemoteURI, "1002") {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestDialWhenReadyGivesUpWithTheContext(t *testing.T) {
	e := phonetest.New()
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dialWhenReady(ctx, e, "1002", io.Discard)
	if n := len(e.Calls()); n != 0 {
		t.Fatalf("%d call(s) after cancellation", n)
	}
}

func TestDialLinks(t *testing.T) {
	e := phonetest.New()
	defer e.Close()
	e.SetRegistration(phone.Registration{State: phone.RegRegistered})
	links := make(chan string, 2)
	links <- "not a link"
	links <- "tel:+1-555-0100"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errOut strings.Builder
	done := make(chan struct{})
	line := newCurrentLine()
	line.set(e)
	go func() { dialLinks(ctx, line, links, &errOut); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(e.Calls()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if calls := e.Calls(); len(calls) != 1 || calls[0].Number != "+15550100" {
		t.Fatalf("calls = %+v", calls)
	}
	if !strings.Contains(errOut.String(), "not a tel:") {
		t.Fatalf("stderr %q", errOut.String())
	}
}
