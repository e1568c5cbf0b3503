package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/wazoline"
)

// newAgentStandIn is the window on the real engine signed in to the demo
// stand-in as username (the demo user, agent 8000, when ""), with its desk.
func newAgentStandIn(t *testing.T, username string) *standIn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	password := d.Password()
	if username == "" {
		username = d.Username()
	} else if _, err := d.Stack().AddUser(wazostandin.User{Username: username, Password: password,
		Lines: []wazostandin.Line{{WebRTC: true, Extensions: []wazostandin.Extension{{Exten: "1100"}}}}}); err != nil {
		t.Fatal(err)
	}
	line, err := wazoline.Connect(ctx, d.Host(), username, password, wazoline.WithPinnedCertificate(d.CertificateSHA256()))
	if err != nil {
		t.Fatal(err)
	}
	dk := desk.New(line)
	t.Cleanup(func() {
		dk.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = line.Close(ctx)
	})
	f := newRealFixture(t, line.API(), WithDesk(dk))
	s := &standIn{fixture: f, demo: d, line: line}
	s.waitUntil("registered", func() bool { return strings.HasPrefix(f.m.registration.label.Text, "Registered") })
	return s
}

// agentLine is the agent's line as shown ("" when hidden). Fyne thread.
func (s *standIn) agentLine() string {
	if s.m.agent == nil || !s.m.agent.label.Visible() {
		return ""
	}
	return s.m.agent.label.Text
}

func (s *standIn) waitAgentLine(want string) {
	s.t.Helper()
	s.waitUntil("the agent line "+want, func() bool { return s.agentLine() == want })
}

// The agent's session in the window, on the real engine and the stand-in:
// the line under the registration line follows the agent (logged out,
// available, paused with the reason chosen in the dialog, a supervisor's
// pause and logoff), the Agent menu's shortcuts log in and out and pause,
// and a pause while logged out gets the platform's refusal, worded.
func TestAgentInTheWindow(t *testing.T) {
	ctrl, shift := fyne.KeyModifierShortcutDefault, fyne.KeyModifierShift
	s := newAgentStandIn(t, "")
	s.waitAgentLine("Agent 8000 · Logged out")
	s.ui.do(func() {
		if s.menuItem("Pause with a reason…") == nil {
			t.Fatal("no Agent menu")
		}
		if got := s.m.Window().MainMenu().Items[1].Label; got != "Agent" {
			t.Fatalf("menu after Call is %q", got)
		}
	})

	// Logged out, Ctrl+Shift+P asks the platform, which refuses.
	s.press("Pause or unpause the agent", fyne.KeyP, ctrl|shift)
	s.waitUntil("the refusal", func() bool {
		return s.m.notice.Visible() && s.m.notice.Text == "Could not pause the agent: the agent is not logged in."
	})

	s.press("Log in or out as an agent", fyne.KeyL, ctrl|shift)
	s.waitAgentLine("Agent 8000 · Logged in · Available")
	s.ui.do(func() {
		if s.m.notice.Visible() {
			t.Fatalf("the refusal outlived the change: %q", s.m.notice.Text)
		}
		if got := s.m.agent.label.tip; got != "Logged in on extension 1000, in the queues Support, Sales." {
			t.Fatalf("tip %q", got)
		}
	})

	// Logged in, Ctrl+Shift+P asks for a reason.
	s.press("Pause or unpause the agent", fyne.KeyP, ctrl|shift)
	s.ui.do(func() {
		if s.m.agent.pausing == nil {
			t.Fatal("no pause dialog")
		}
		s.m.agent.reason.SetText("Lunch")
		s.m.agent.pausing.Submit()
	})
	s.waitAgentLine("Agent 8000 · Logged in · Paused: Lunch")

	s.press("Pause or unpause the agent", fyne.KeyP, ctrl|shift)
	s.waitAgentLine("Agent 8000 · Logged in · Available")

	// A typed reason, through the menu.
	s.ui.do(func() {
		s.menuItem("Pause with a reason…").Action()
		test.Type(s.m.agent.reason, "Coffee")
		s.m.agent.pausing.Submit()
	})
	s.waitAgentLine("Agent 8000 · Logged in · Paused: Coffee")

	// A supervisor changes the agent's state elsewhere.
	if err := s.demo.Stack().SupervisorPause(s.demo.AgentNumber(), "coaching"); err != nil {
		t.Fatal(err)
	}
	s.waitAgentLine("Agent 8000 · Logged in · Paused: coaching")
	if err := s.demo.Stack().SupervisorLogoff(s.demo.AgentNumber()); err != nil {
		t.Fatal(err)
	}
	s.waitAgentLine("Agent 8000 · Logged out")

	// The tray menu carries the same line, under its status line.
	s.ui.do(func() {
		s.m.trayMenu = fyne.NewMenu("Parley", fyne.NewMenuItem("status", nil), fyne.NewMenuItem("Quit", nil))
		s.m.showAgentInTray()
		if got := s.m.trayMenu.Items[1].Label; got != "Agent 8000 · Logged out" {
			t.Fatalf("tray line %q", got)
		}
	})
	s.press("Log in or out as an agent", fyne.KeyL, ctrl|shift)
	s.waitAgentLine("Agent 8000 · Logged in · Available")
	s.ui.do(func() {
		if got := s.m.trayMenu.Items[1].Label; got != "Agent 8000 · Logged in · Available" {
			t.Fatalf("tray line %q", got)
		}
	})
	s.press("Log in or out as an agent", fyne.KeyL, ctrl|shift)
	s.waitAgentLine("Agent 8000 · Logged out")
}

// An account that is no agent shows no agent line and no Agent menu.
func TestNoAgentInTheWindow(t *testing.T) {
	s := newAgentStandIn(t, "plain")
	s.waitUntil("the agent's state read", func() bool { return s.m.agent != nil && s.m.agent.state.Loaded })
	s.ui.do(func() {
		if s.agentLine() != "" {
			t.Fatalf("agent line %q", s.agentLine())
		}
		for _, menu := range s.m.Window().MainMenu().Items {
			if menu.Label == "Agent" {
				t.Fatal("an Agent menu without an agent")
			}
		}
	})
}
