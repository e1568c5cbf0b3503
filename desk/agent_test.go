package desk_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

const waitLong = 60 * time.Second

func testLogger() *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// deskEnv is the demo stack, a Wazo line signed in to it and its desk.
type deskEnv struct {
	demo *demo.Demo
	line *wazoline.Line
	desk *desk.Desk
}

// newDeskEnv signs in as username (the demo user, agent 8000, when "").
func newDeskEnv(t *testing.T, username, password string) *deskEnv {
	t.Helper()
	d, err := demo.Start(context.Background(), demo.WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if username == "" {
		username, password = d.Username(), d.Password()
	} else if _, err := d.Stack().AddUser(wazostandin.User{Username: username, Password: password, Firstname: "No", Lastname: "Agent",
		Lines: []wazostandin.Line{{WebRTC: true, Extensions: []wazostandin.Extension{{Exten: "1100"}}}}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	line, err := wazoline.Connect(ctx, d.Host(), username, password,
		wazoline.WithPinnedCertificate(d.CertificateSHA256()), wazoline.WithLogger(testLogger()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	dk := desk.New(line, desk.WithLogger(testLogger()))
	t.Cleanup(func() {
		dk.Close()
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	return &deskEnv{demo: d, line: line, desk: dk}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	t.Cleanup(cancel)
	return ctx
}

// watcher follows an Agent's subscription.
type watcher struct {
	t   *testing.T
	a   *desk.Agent
	ch  <-chan desk.AgentState
	all []desk.AgentState
}

func watch(t *testing.T, a *desk.Agent) *watcher {
	ch, cancel := a.Subscribe()
	t.Cleanup(cancel)
	return &watcher{t: t, a: a, ch: ch}
}

// until waits for a published state (or the current one) satisfying ok.
func (w *watcher) until(what string, ok func(desk.AgentState) bool) desk.AgentState {
	w.t.Helper()
	if s := w.a.State(); ok(s) {
		return s
	}
	deadline := time.After(waitLong)
	for {
		select {
		case s, open := <-w.ch:
			if !open {
				w.t.Fatalf("%s: subscription closed", what)
			}
			w.all = append(w.all, s)
			if ok(s) {
				return s
			}
		case <-deadline:
			w.t.Fatalf("timed out waiting for %s; state %+v", what, w.a.State())
		}
	}
}

// TestAgentSession: the agent's session through the real engine and the
// stand-in, with changes made here and by a supervisor elsewhere; the
// refusals are the desk's sentinels, worded.
func TestAgentSession(t *testing.T) {
	e := newDeskEnv(t, "", "")
	a := e.desk.Agent()
	w := watch(t, a)
	st := w.until("the logged-out agent", func(s desk.AgentState) bool { return s.Loaded })
	if !st.HasAgent || st.LoggedIn || st.Number != demo.DefaultAgentNumber || st.Problem != "" {
		t.Fatalf("start %+v", st)
	}
	ctx := ctxFor(t)

	// Pause while logged out: the platform's 409 "not logged in", worded.
	err := a.Pause(ctx, "lunch")
	if !errors.Is(err, desk.ErrAgentLoggedOut) || err.Error() != "the agent is not logged in" {
		t.Fatalf("pause logged out: %v", err)
	}
	if err := a.Logout(ctx); !errors.Is(err, desk.ErrAgentLoggedOut) {
		t.Fatalf("logout logged out: %v", err)
	}

	if err := a.Login(ctx); err != nil {
		t.Fatal(err)
	}
	// Login returns with the state read.
	st = a.State()
	if !st.LoggedIn || st.Extension != demo.DefaultExtension || st.Context != "default" || len(st.Queues) != 2 || st.Paused {
		t.Fatalf("after login %+v", st)
	}
	if err := a.Login(ctx); !errors.Is(err, desk.ErrAgentLoggedIn) {
		t.Fatalf("login twice: %v", err)
	}

	if err := a.Pause(ctx, "  lunch "); err != nil {
		t.Fatal(err)
	}
	// One agent_paused per queue: the agent is paused from the first.
	w.until("paused for lunch", func(s desk.AgentState) bool { return s.Paused && s.PauseReason == "lunch" })
	w.until("paused in both queues", func(s desk.AgentState) bool { return s.Queues[0].Paused && s.Queues[1].Paused })
	if err := a.Unpause(ctx); err != nil {
		t.Fatal(err)
	}
	w.until("available", func(s desk.AgentState) bool { return s.LoggedIn && !s.Paused && s.PauseReason == "" })

	if err := a.Pause(ctx, strings.Repeat("x", desk.MaxPauseReason+1)); !errors.Is(err, desk.ErrPauseReasonTooLong) {
		t.Fatalf("long reason: %v", err)
	}

	// A supervisor acts elsewhere: the state follows the events.
	sup := e.demo.Stack()
	if err := sup.SupervisorPause(e.demo.AgentNumber(), "coaching"); err != nil {
		t.Fatal(err)
	}
	w.until("paused by the supervisor", func(s desk.AgentState) bool { return s.Paused && s.PauseReason == "coaching" })
	if err := sup.SupervisorLogoff(e.demo.AgentNumber()); err != nil {
		t.Fatal(err)
	}
	st = w.until("logged off by the supervisor", func(s desk.AgentState) bool { return !s.LoggedIn })
	if st.Paused || st.Extension != "" || len(st.Queues) != 0 {
		t.Fatalf("after supervisor logoff %+v", st)
	}
	if err := sup.SupervisorLogin(e.demo.AgentNumber(), demo.DefaultExtension, "default"); err != nil {
		t.Fatal(err)
	}
	w.until("logged in by the supervisor", func(s desk.AgentState) bool { return s.LoggedIn && s.Extension == demo.DefaultExtension })

	// A change made while the event socket is down (the line reconnects
	// after a backoff of at least 0.8 s, and websocketd drops what happens
	// meanwhile) is read again after the reconnect.
	e.demo.Stack().KillWebsockets()
	if err := sup.SupervisorPause(e.demo.AgentNumber(), "missed"); err != nil {
		t.Fatal(err)
	}
	w.until("the pause made while disconnected", func(s desk.AgentState) bool { return s.Paused && s.PauseReason == "missed" })

	if err := a.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if a.State().LoggedIn {
		t.Fatalf("after logout %+v", a.State())
	}
}

// TestAgentNoAgent: a user who is no agent has no agent state, and the
// actions say so.
func TestAgentNoAgent(t *testing.T) {
	e := newDeskEnv(t, "plain", "pw")
	a := e.desk.Agent()
	w := watch(t, a)
	st := w.until("loaded", func(s desk.AgentState) bool { return s.Loaded })
	if st.HasAgent || st.Problem != "" {
		t.Fatalf("%+v", st)
	}
	for name, do := range map[string]func() error{
		"login":   func() error { return a.Login(ctxFor(t)) },
		"pause":   func() error { return a.Pause(ctxFor(t), "") },
		"unpause": func() error { return a.Unpause(ctxFor(t)) },
		"logout":  func() error { return a.Logout(ctxFor(t)) },
	} {
		if err := do(); !errors.Is(err, desk.ErrNoAgent) || err.Error() != "this account has no agent" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
