package windowtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the module root: go test runs in the package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot tell where the test source is")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// buildParley compiles the real binary into dir, with cgo (Fyne's GL driver)
// and the build tags scripts/test.sh passes (PARLEY_TAGS). It is not built
// with -race: the window is driven from outside, so the race detector would
// only slow the app down, and a race-built Fyne is a second cold build.
func buildParley(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "parley")
	args := []string{"build", "-o", bin}
	if tags := os.Getenv("PARLEY_TAGS"); tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, ".")
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// app is one running parley process. It runs in its own process group, so
// stopping it also stops anything it started, and its output goes to a log
// file printed when the test fails.
type app struct {
	cmd     *exec.Cmd
	logPath string
	started time.Time     // just before exec
	done    chan struct{} // closed once the process is reaped
	err     error         // Wait's result; read after done
	stopped bool
}

// startApp runs bin with args on the display in the environment (DISPLAY,
// set by testrig.StartXvfb). The app gets an empty configuration directory,
// so it finds no account and no saved preferences. It is stopped at Cleanup
// unless stop was called first.
func startApp(t testing.TB, bin string, args ...string) *app {
	t.Helper()
	return startAppIn(t, t.TempDir(), bin, args...)
}

// startAppIn is startApp with the home and configuration directories in
// dir, so a second run finds what the first one left (its call history).
func startAppIn(t testing.TB, dir, bin string, args ...string) *app {
	t.Helper()
	// One log per run: a second run in dir keeps the first one's.
	a := &app{logPath: filepath.Join(dir, fmt.Sprintf("parley-%d.log", time.Now().UnixNano())), done: make(chan struct{})}
	logf, err := os.Create(a.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close() // the child has its own copy
	a.cmd = exec.Command(bin, args...)
	a.cmd.Dir = dir
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	a.cmd.Env = appEnv(t, dir)
	a.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// Against leaks when the test binary dies without running cleanups
		// (the go test -timeout panic).
		Pdeathsig: syscall.SIGKILL,
	}
	a.started = time.Now()
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		if !a.stopped {
			t.Log(a.stop(stopGrace))
		}
		if t.Failed() {
			t.Logf("--- parley log (%s) ---\n%s", a.logPath, a.log())
		}
	})
	return a
}

// appEnv is the environment of a Parley run with its home, configuration,
// cache and runtime directories (the single-instance socket) in dir.
func appEnv(t testing.TB, dir string) []string {
	t.Helper()
	for _, sub := range []string{"config", "data", "cache", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return append(x11Only(os.Environ()),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"),
		"HOME="+dir,
		// No account from the environment either: demo mode only.
		"PARLEY_CONFIG=", "PARLEY_SERVER=", "PARLEY_USER=", "PARLEY_PASSWORD=", "PARLEY_WAZO_SERVER=",
		// Quiets Fyne's "Error parsing user locale C".
		"LANG=C.UTF-8",
	)
}

// x11Only drops what would make GLFW open the window on a Wayland
// compositor (a developer's desktop) instead of the test's Xvfb.
func x11Only(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "WAYLAND_DISPLAY=") || strings.HasPrefix(kv, "XDG_SESSION_TYPE=")
	})
}

func (a *app) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// stopGrace is how long stop waits after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// stop sends SIGTERM to the app's process group, SIGKILLs it after grace (at
// once if grace is 0), and returns how it ended, to be logged. The exit
// status is not judged: how the GUI exits on SIGTERM is another issue's
// business.
func (a *app) stop(grace time.Duration) string {
	a.stopped = true
	pgid := a.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	how := "exited by itself before the stop"
	switch {
	case a.exited():
	case grace == 0:
		how = "SIGKILLed"
	default:
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-a.done:
			how = "exited after SIGTERM"
		case <-time.After(grace):
			how = fmt.Sprintf("did not exit within %v of SIGTERM; SIGKILLed", grace)
		}
	}
	// Children may outlive the leader; the group id stays reserved while any
	// member lives, so this cannot hit an unrelated process.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-a.done
	return fmt.Sprintf("parley %s: %v", how, exitText(a.err))
}

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.String()
	default:
		return err.Error()
	}
}

func (a *app) log() string {
	b, _ := os.ReadFile(a.logPath)
	const max = 32 << 10
	if len(b) > max {
		return "[...]\n" + string(b[len(b)-max:])
	}
	return string(b)
}

// window is the app's top-level X window and where it is on the screen.
type window struct {
	id         string
	x, y, w, h int
}

// waitWindow waits until a visible window whose title contains name is
// mapped, failing after limit or as soon as the app exits.
func waitWindow(t testing.TB, a *app, name string, limit time.Duration) window {
	t.Helper()
	id, err := pollWindow(a, name, limit)
	if err != nil {
		t.Fatalf("%v\n--- parley log ---\n%s", err, a.log())
	}
	w, err := geometry(id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// pollWindow polls xdotool search --onlyvisible (mapped windows only) rather
// than using --sync, so that an app that dies at start-up fails the wait at
// once instead of after the whole limit.
func pollWindow(a *app, name string, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", name).Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			return f[0], nil
		}
		if a.exited() {
			return "", fmt.Errorf("parley exited (%s) before its window %q was shown", exitText(a.err), name)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no visible window named %q within %v", name, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// geometry asks xdotool where the window is on the screen.
func geometry(id string) (window, error) {
	out, err := exec.Command("xdotool", "getwindowgeometry", "--shell", id).Output()
	if err != nil {
		return window{}, fmt.Errorf("xdotool getwindowgeometry %s: %v", id, err)
	}
	w := window{id: id}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		switch k {
		case "X":
			w.x = n
		case "Y":
			w.y = n
		case "WIDTH":
			w.w = n
		case "HEIGHT":
			w.h = n
		}
	}
	if w.w == 0 || w.h == 0 {
		return window{}, fmt.Errorf("xdotool getwindowgeometry %s: no size in %q", id, out)
	}
	return w, nil
}

// xdo runs one xdotool command.
func xdo(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
