package testrig

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Pulse is a private PulseAudio server with one null sink, for audio tests
// that need a real loopback (play into Sink, capture from Monitor).
type Pulse struct {
	RuntimeDir string // XDG_RUNTIME_DIR of the server (socket in pulse/native)
	Server     string // PULSE_SERVER value, unix:<socket>
	Sink       string // null sink name, the default sink
	Monitor    string // its monitor source, the default source
}

// StartPulse starts PulseAudio with a 48 kHz null sink (docs/testing.md)
// and a keep-alive stream into it (without one the idle sink sleeps and a
// new stream can stall for up to 2 s). It sets PULSE_SERVER and
// XDG_RUNTIME_DIR for the test with t.Setenv, so the test (and anything it
// starts) uses this server; t.Setenv rules out t.Parallel in that test.
func StartPulse(t testing.TB) *Pulse {
	t.Helper()
	bin := mustBin(t, "pulseaudio")
	pactl := mustBin(t, "pactl")
	pacat := mustBin(t, "pacat")
	dir := runDir(t, "pa") // short path: the socket path must fit in 107 bytes
	if err := os.Mkdir(filepath.Join(dir, "pulse"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pa := &Pulse{
		RuntimeDir: dir,
		Server:     "unix:" + filepath.Join(dir, "pulse", "native"),
		Sink:       "rigsink",
		Monitor:    "rigsink.monitor",
	}
	// HOME too: the daemon would otherwise write its cookie and state into
	// the real home directory.
	env := append(pa.Env(), "HOME="+dir)
	p, err := startProc(t, "pulseaudio", dir, bin, []string{
		"-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--use-pid-file=false",
		"--realtime=yes", "--high-priority=yes", "--log-target=stderr",
		"-L", "module-native-protocol-unix socket=" + filepath.Join(dir, "pulse", "native") + " auth-anonymous=1",
		"-L", "module-null-sink sink_name=" + pa.Sink + " rate=48000 sink_properties=device.description=RigSink",
	}, env)
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) error {
		cmd := exec.Command(pactl, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("pactl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := p.waitUntil(10*time.Second, 50*time.Millisecond, func() error { return run("info") }); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	for _, args := range [][]string{{"set-default-sink", pa.Sink}, {"set-default-source", pa.Monitor}} {
		if err := run(args...); err != nil {
			t.Fatal(err)
		}
	}
	keep, err := startProc(t, "pacat-keepalive", dir, pacat, []string{
		"-p", "--raw", "--latency-msec=10", "-d", pa.Sink, "/dev/zero",
	}, env)
	if err != nil {
		t.Fatal(err)
	}
	// The first capture stream after start-up can stall for ~0.5-1 s even
	// with the keep-alive, so take that stall here: ready means frames flow.
	if err := warmUpPulse(env, pa.Monitor, 5*time.Second); err != nil {
		t.Fatalf("pulseaudio null sink delivers no audio: %v\npacat: %s", err, keep.log())
	}
	if keep.exited() {
		t.Fatalf("pacat keep-alive stream ended: %s", keep.log())
	}
	t.Setenv("PULSE_SERVER", pa.Server)
	t.Setenv("XDG_RUNTIME_DIR", pa.RuntimeDir)
	return pa
}

// warmUpPulse records from source until 50 ms of audio arrived.
func warmUpPulse(env []string, source string, limit time.Duration) error {
	parec, err := lookBin("parec")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, parec, "--raw", "--rate=48000", "--channels=1", "--format=s16le",
		"--latency-msec=10", "-d", source)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	_, readErr := io.ReadFull(out, make([]byte, 4800)) // 50 ms of 48 kHz s16 mono
	cancel()                                           // stops parec (SIGKILL) if still running
	_ = cmd.Wait()
	if readErr != nil {
		return fmt.Errorf("no 50 ms of audio from %s within %v: %v", source, limit, readErr)
	}
	return nil
}

// Env returns the variables a child process needs to use this server.
func (p *Pulse) Env() []string {
	return []string{"PULSE_SERVER=" + p.Server, "XDG_RUNTIME_DIR=" + p.RuntimeDir}
}
