//go:build unix

package history

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone/phonetest"
)

// envKillChild makes the test binary act as the child of
// TestHistorySurvivesKill: it records a call that is answered, then waits to
// be killed.
const envKillChild = "PARLEY_HISTORY_KILL_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(envKillChild); path != "" {
		os.Exit(killChild(path))
	}
	os.Exit(m.Run())
}

func killChild(path string) int {
	s, err := Open(path, Config{})
	if err != nil {
		os.Stderr.WriteString("child: " + err.Error() + "\n")
		return 2
	}
	eng := phonetest.New()
	rec := NewRecorder(s, RecorderConfig{Line: "sip:1001@parley.test"})
	events, stop := eng.Subscribe()
	defer stop()
	cs := eng.Ring("0612345678", "Marc Durand")
	if err := eng.Accept(context.Background(), cs.ID()); err != nil {
		os.Stderr.WriteString("child: " + err.Error() + "\n")
		return 2
	}
	if err := eng.Hold(context.Background(), cs.ID()); err != nil {
		os.Stderr.WriteString("child: " + err.Error() + "\n")
		return 2
	}
	for range 3 { // call_incoming, call_accepted, call_held
		if err := rec.Handle(<-events); err != nil {
			os.Stderr.WriteString("child: " + err.Error() + "\n")
			return 2
		}
	}
	os.Stdout.WriteString("recorded " + cs.ID() + "\n")
	select {} // the call goes on until the parent kills us
}

// TestHistorySurvivesKill runs a real process that records a call in
// progress, kills it with SIGKILL (no deferred code, no Close) and reopens
// the file: the call must be there, ended unexpectedly, with how far it got.
func TestHistorySurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envKillChild+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	line := make(chan string, 1)
	go func() { // ends when the child's stdout closes (it is killed below)
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	var id string
	select {
	case l, ok := <-line:
		if !ok || !strings.HasPrefix(l, "recorded ") {
			t.Fatalf("child did not record its call (said %q)", l)
		}
		id = strings.TrimPrefix(l, "recorded ")
	case <-time.After(2 * time.Minute):
		t.Fatal("child did not report within 2 minutes")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v", err)
	}

	s, err := Open(path, Config{})
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer s.Close()
	if s.Recovered() != 1 {
		t.Errorf("Recovered = %d, want 1", s.Recovered())
	}
	e, err := s.Get(id)
	if err != nil {
		t.Fatalf("the call in progress is gone: %v", err)
	}
	if e.State != StateEnded || e.Outcome != OutcomeInterrupted {
		t.Errorf("state %q outcome %q, want ended/interrupted", e.State, e.Outcome)
	}
	if e.LastStatus != "held" || e.AnswerTime.IsZero() || e.EndTime.IsZero() {
		t.Errorf("last known state lost: %+v", e)
	}
	if e.Number != "0612345678" || e.DisplayName != "Marc Durand" || e.Direction != DirectionIn || e.Line != "sip:1001@parley.test" {
		t.Errorf("party or line lost: %+v", e)
	}
}
