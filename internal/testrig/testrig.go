// Package testrig starts the real peers that Parley's integration tests talk
// to: kamailio (registrar/proxy, UDP, TCP and WebSocket), sipp, baresip, a
// PulseAudio null sink and an Xvfb display.
//
// Every helper takes the calling test, picks free ports, keeps its files in a
// per-test directory and stops what it started in t.Cleanup (whole process
// group, waiting for the exit), so tests can run in parallel and nothing leaks.
// When a peer binary is missing, the test is skipped locally but fails when
// the environment variable CI or PARLEY_REQUIRE_PEERS is set (see Require), so
// CI cannot go green by silently skipping.
package testrig

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RequirePeersEnv is the environment variable that turns a missing peer binary
// into a test failure instead of a skip. CI sets it (scripts/test.sh does).
const RequirePeersEnv = "PARLEY_REQUIRE_PEERS"

// peersRequired reports whether a missing peer must fail the test.
func peersRequired() bool {
	return os.Getenv("CI") != "" || os.Getenv(RequirePeersEnv) != ""
}

// lookBin finds a program on PATH or in the sbin directories.
func lookBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if !strings.Contains(name, "/") {
		// The sbin directories are searched after PATH because a non-root
		// user's PATH often lacks them, and kamailio/kamcmd live in /usr/sbin.
		for _, dir := range []string{"/usr/local/sbin", "/usr/sbin", "/sbin"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s is not installed (not on PATH nor in /usr/sbin); run scripts/install-deps.sh test", name)
}

// Require checks that all the named programs are installed. If one is
// missing, the test is skipped, unless CI or PARLEY_REQUIRE_PEERS is set, in
// which case it fails.
func Require(t testing.TB, bins ...string) {
	t.Helper()
	var missing []string
	for _, b := range bins {
		if _, err := lookBin(b); err != nil {
			missing = append(missing, b)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("test peer(s) not installed: %s (install with scripts/install-deps.sh test)", strings.Join(missing, ", "))
	if peersRequired() {
		t.Fatalf("%s; failing because CI or %s is set", msg, RequirePeersEnv)
	}
	t.Skip(msg)
}

// mustBin is Require plus the resolved path, for the Start helpers.
func mustBin(t testing.TB, name string) string {
	t.Helper()
	Require(t, name)
	p, err := lookBin(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FreePort returns a port on 127.0.0.1 that was free a moment ago for
// network "udp" or "tcp". Another process may still grab it before the caller
// binds it; helpers that start servers retry with new ports when that happens.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	p, err := freePort(network)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func freePort(network string) (int, error) {
	switch network {
	case "udp", "udp4":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free UDP port: %w", err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	case "tcp", "tcp4":
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free TCP port: %w", err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	default:
		return 0, fmt.Errorf("FreePort: network must be \"udp\" or \"tcp\", not %q", network)
	}
}

// FreePortBoth returns a port number free for both UDP and TCP on 127.0.0.1
// (SIP servers listen on the same number for both).
func FreePortBoth(t testing.TB) int {
	t.Helper()
	p, err := freePortBoth()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func freePortBoth() (int, error) {
	for range 50 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free TCP port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			c.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no port number free for both UDP and TCP after 50 tries")
}

// FreePortRange returns the first of n consecutive UDP port numbers that
// were free a moment ago (for RTP port ranges).
func FreePortRange(t testing.TB, n int) int {
	t.Helper()
	for range 50 {
		first, err := freePort("udp")
		if err != nil {
			t.Fatal(err)
		}
		if first+n > 65535 {
			continue
		}
		ok := true
		var held []net.PacketConn
		for p := first; p < first+n; p++ {
			c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return first
		}
	}
	t.Fatalf("no range of %d free UDP ports found", n)
	return 0
}

// runDir makes a short-pathed scratch directory removed at Cleanup. Unix
// socket paths are limited to 107 bytes, and t.TempDir embeds the (possibly
// long) test name, so sockets live here instead.
func runDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rig-"+prefix+"-")
	if err != nil {
		t.Fatalf("create scratch directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
