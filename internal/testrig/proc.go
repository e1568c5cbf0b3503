package testrig

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one started program, run in its own process group so that stopping
// it also stops whatever it forked (kamailio's workers, pulseaudio helpers).
// Its stdout and stderr go to a log file; the log is printed when the test
// fails.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited and been reaped
	err     error         // the Wait result; read only after done is closed
}

// startProc starts bin with args, logging to dir/<name>.log. The process is
// stopped (SIGTERM to the group, SIGKILL after a grace period) at t.Cleanup,
// and the log is printed if the test failed.
func startProc(t testing.TB, name, dir, bin string, args []string, env []string) (*proc, error) {
	t.Helper()
	return startProcWith(t, name, dir, bin, args, env, nil)
}

// startProcWith is startProc with a hook to adjust the command before the
// start (e.g. ExtraFiles).
func startProcWith(t testing.TB, name, dir, bin string, args []string, env []string, prep func(*exec.Cmd)) (*proc, error) {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create log file for %s: %w", name, err)
	}
	// The child has its own copy of the descriptor; ours is not needed after Start.
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdin = nil // /dev/null: none of the peers may wait on a terminal
	cmd.Stdout = logf
	cmd.Stderr = logf
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// Best effort against leaks when the test binary dies without running
		// cleanups (e.g. the go test -timeout panic).
		Pdeathsig: syscall.SIGKILL,
	}
	if prep != nil {
		prep(cmd)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(5 * time.Second)
		if t.Failed() {
			t.Logf("--- %s log (%s) ---\n%s", name, logPath, p.logTail(64<<10))
		}
	})
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the exit status after the process ended (-1 if killed by a signal).
func (p *proc) exitCode() int {
	<-p.done
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

// stop sends SIGTERM to the process group, waits up to grace for the leader
// to exit, then SIGKILLs the group (stragglers included) and waits. Safe to
// call more than once.
func (p *proc) stop(grace time.Duration) {
	pgid := p.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	if !p.exited() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
		}
	}
	// Children may outlive the leader; the group id stays reserved while any
	// member lives, so this cannot hit an unrelated process.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
	p.waitGroupGone(2 * time.Second)
}

// waitGroupGone waits until no process of the group is left (zombies of
// children reparented to a non-reaping init count as gone).
func (p *proc) waitGroupGone(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(-p.cmd.Process.Pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if p.onlyZombiesLeft() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onlyZombiesLeft scans /proc for live members of the group.
func (p *proc) onlyZombiesLeft() bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	pgid := p.cmd.Process.Pid
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Format: pid (comm) state ppid pgrp ...; comm may contain spaces.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 4 {
			continue
		}
		if f[3] == fmt.Sprint(pgid) && f[0] != "Z" && f[0] != "X" {
			return false
		}
	}
	return true
}

// log returns the whole log file.
func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// logTail returns at most max bytes from the end of the log.
func (p *proc) logTail(max int) string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > max {
		b = b[len(b)-max:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
		return "[...]\n" + string(b)
	}
	return string(b)
}

// waitUntil polls check every interval until it returns nil, the process
// exits, or limit passes. It returns the last error.
func (p *proc) waitUntil(limit, interval time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if p != nil && p.exited() {
			return fmt.Errorf("%s exited during start-up (%v); last check: %v", p.name, p.err, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %v", p.name, limit, err)
		}
		time.Sleep(interval)
	}
}
