package testrig

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

//go:embed register.xml
var sippRegisterScenario []byte

// SippOptions configures one sipp run.
type SippOptions struct {
	// Scenario is a path to a scenario XML file, or a built-in name: sipp's
	// own ("uas", "uac", "regexp", ...) or testrig's "register" (one
	// REGISTER for key "user", default "parley"; expects 200).
	Scenario  string
	Remote    string            // host:port to send to; "" for a pure UAS
	LocalPort int               // 0 = pick a free one
	Transport string            // "u1" (UDP, default) or "t1" (TCP)
	Calls     int               // -m: stop after this many calls; default 1
	Keys      map[string]string // -key k v: values for [k] in the scenario
	Args      []string          // more sipp arguments, appended last
}

// Sipp is a running sipp.
type Sipp struct {
	addr string
	dir  string
	proc *proc
}

// SippResult is what a finished sipp reported.
type SippResult struct {
	ExitCode   int    // sipp's: 0 all calls OK, 1 some failed, 97/99 other ends, 255/254 fatal
	Successful int    // cumulative "Successful call" from the final statistics
	Failed     int    // cumulative "Failed call"
	Output     string // sipp's output; on failure also its error log and message trace
}

// StartSipp starts sipp in the background (-nostdin, traces into a test
// directory) and kills it at Cleanup if it is still running. Collect the
// result with Wait.
func StartSipp(t testing.TB, o SippOptions) *Sipp {
	t.Helper()
	bin := mustBin(t, "sipp")
	dir := t.TempDir()
	if o.Transport == "" {
		o.Transport = "u1"
	}
	if o.Calls == 0 {
		o.Calls = 1
	}
	if o.LocalPort == 0 {
		network := "udp"
		if strings.HasPrefix(o.Transport, "t") {
			network = "tcp"
		}
		o.LocalPort = FreePort(t, network)
	}
	var args []string
	switch {
	case o.Scenario == "register":
		path := filepath.Join(dir, "register.xml")
		if err := os.WriteFile(path, sippRegisterScenario, 0o644); err != nil {
			t.Fatalf("write sipp scenario: %v", err)
		}
		args = append(args, "-sf", path)
		o.Keys = withDefaults(o.Keys, map[string]string{"user": "parley", "expires": "300"})
	case o.Scenario == "":
		t.Fatal("StartSipp: SippOptions.Scenario is empty (a file, \"uas\", \"uac\" or \"register\")")
	case strings.Contains(o.Scenario, "/") || strings.HasSuffix(o.Scenario, ".xml"):
		abs, err := filepath.Abs(o.Scenario) // sipp runs in its own directory
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "-sf", abs)
	default:
		args = append(args, "-sn", o.Scenario)
	}
	if o.Remote != "" {
		args = append(args, o.Remote)
	}
	args = append(args,
		"-i", "127.0.0.1", "-p", strconv.Itoa(o.LocalPort), "-t", o.Transport,
		"-m", strconv.Itoa(o.Calls),
		"-nostdin", "-trace_msg", "-trace_err", "-trace_screen",
	)
	for _, k := range slices.Sorted(maps.Keys(o.Keys)) {
		args = append(args, "-key", k, o.Keys[k])
	}
	args = append(args, o.Args...)
	p, err := startProc(t, "sipp", dir, bin, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Sipp{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.LocalPort)), dir: dir, proc: p}
}

func withDefaults(m, defaults map[string]string) map[string]string {
	out := maps.Clone(defaults)
	maps.Copy(out, m)
	return out
}

// Addr is sipp's SIP address, 127.0.0.1:LocalPort.
func (s *Sipp) Addr() string { return s.addr }

// Wait waits for sipp to finish its calls and returns its statistics. If ctx
// ends first, sipp is stopped, and the partial result is returned with the
// context's error. The error is also set when sipp reports failed calls or a
// non-zero exit code, so tests may simply check err.
func (s *Sipp) Wait(ctx context.Context) (SippResult, error) {
	var waitErr error
	select {
	case <-s.proc.done:
	case <-ctx.Done():
		s.proc.stop(3 * time.Second)
		waitErr = fmt.Errorf("sipp did not finish: %w", ctx.Err())
	}
	r := SippResult{ExitCode: s.proc.exitCode(), Output: s.proc.log()}
	stats := r.Output
	if screens, _ := filepath.Glob(filepath.Join(s.dir, "*_screen.log")); len(screens) > 0 && !strings.Contains(stats, "Successful call") {
		b, _ := os.ReadFile(screens[0])
		stats = string(b)
	}
	r.Successful = lastStat(stats, "Successful call")
	r.Failed = lastStat(stats, "Failed call")
	if waitErr == nil && (r.ExitCode != 0 || r.Failed > 0) {
		waitErr = fmt.Errorf("sipp: exit code %d, %d successful, %d failed call(s)", r.ExitCode, r.Successful, r.Failed)
	}
	if waitErr != nil {
		r.Output += s.traces()
	}
	return r, waitErr
}

// traces returns sipp's error log and message trace for failure reports.
func (s *Sipp) traces() string {
	var b strings.Builder
	for _, pat := range []string{"*_errors.log", "*_messages.log"} {
		files, _ := filepath.Glob(filepath.Join(s.dir, pat))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			const max = 32 << 10
			if len(data) > max {
				data = append([]byte("[...]\n"), data[len(data)-max:]...)
			}
			fmt.Fprintf(&b, "\n--- %s ---\n%s", filepath.Base(f), data)
		}
	}
	return b.String()
}

// lastStat finds the cumulative value of a statistics-screen row such as
// "  Successful call        |        0                  |        1        ".
func lastStat(screen, name string) int {
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*\|[^|\n]*\|\s*(\d+)`)
	m := re.FindAllStringSubmatch(screen, -1)
	if len(m) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// Messages returns sipp's message trace so far (-trace_msg): every message
// it sent and received, for tests that check what went over the wire.
func (s *Sipp) Messages() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(s.dir, "*_messages.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		b.Write(data)
	}
	return b.String()
}
