package testrig

import (
	"bufio"
	_ "embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kamailioConfig is docs/testing.md's registrar/proxy with the ports and
// the control-socket directory as placeholders.
//
//go:embed kamailio.cfg.in
var kamailioConfig string

// Kamailio is a running kamailio registrar/proxy on 127.0.0.1.
type Kamailio struct {
	UDPAddr string // 127.0.0.1:port, SIP over UDP
	TCPAddr string // 127.0.0.1:port, SIP over TCP (same port number as UDP)
	WSURL   string // ws://127.0.0.1:port, SIP over plain WebSocket (sub-protocol "sip")

	kamcmd string // path of kamcmd
	ctl    string // unix:<path> of the binrpc control socket
	dir    string
	proc   *proc
	bin    string   // path of kamailio, for Start
	args   []string // its arguments, for Start
}

// StartKamailio starts a kamailio registrar + proxy on free ports (UDP and
// TCP on one port, WebSocket on another), waits until it answers on its
// control socket, and stops it at Cleanup. Users register with any password
// (no authentication). Its log is printed if the test fails.
func StartKamailio(t testing.TB) *Kamailio {
	t.Helper()
	bin := mustBin(t, "kamailio")
	kamcmd := mustBin(t, "kamcmd")
	var lastErr error
	// A free port can be taken between FreePort and kamailio's bind; retry
	// with new ports rather than fail the test.
	for attempt := 1; attempt <= 3; attempt++ {
		k, err := startKamailio(t, bin, kamcmd)
		if err == nil {
			return k
		}
		lastErr = err
		if !strings.Contains(err.Error(), "in use") {
			break
		}
		t.Logf("kamailio attempt %d: %v; retrying with other ports", attempt, err)
	}
	t.Fatalf("start kamailio: %v", lastErr)
	return nil
}

func startKamailio(t testing.TB, bin, kamcmd string) (*Kamailio, error) {
	t.Helper()
	dir := runDir(t, "kam")
	sipPort, err := freePortBoth()
	if err != nil {
		return nil, err
	}
	wsPort, err := freePort("tcp")
	if err != nil {
		return nil, err
	}
	cfg := strings.NewReplacer(
		"@RUN_DIR@", dir,
		"@SIP_PORT@", strconv.Itoa(sipPort),
		"@WS_PORT@", strconv.Itoa(wsPort),
	).Replace(kamailioConfig)
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, fmt.Errorf("write kamailio.cfg: %w", err)
	}
	// A syntax check first gives a short, clear error (e.g. the websocket
	// module package is missing) instead of a start-up crash in the log.
	if out, err := exec.Command(bin, "-c", "-f", cfgPath).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("kamailio rejects its config (is kamailio-websocket-modules installed?): %v\n%s", err, out)
	}
	args := []string{
		"-f", cfgPath, "-DD", "-E", "-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-m", "64", "-M", "8",
	}
	p, err := startProc(t, "kamailio", dir, bin, args, nil)
	if err != nil {
		return nil, err
	}
	k := &Kamailio{
		UDPAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort)),
		TCPAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort)),
		WSURL:   "ws://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(wsPort)),
		kamcmd:  kamcmd,
		ctl:     "unix:" + filepath.Join(dir, "kamailio_ctl"),
		dir:     dir,
		proc:    p,
		bin:     bin,
		args:    args,
	}
	// The control socket is served by a worker forked after the SIP sockets
	// are bound, so an answer here means SIP is being served too.
	err = p.waitUntil(10*time.Second, 50*time.Millisecond, func() error {
		_, err := k.rpc("core.version")
		return err
	})
	if err != nil {
		p.stop(2 * time.Second)
		log := p.log()
		if strings.Contains(log, "Address already in use") {
			return nil, fmt.Errorf("a port is in use: %w", err)
		}
		return nil, fmt.Errorf("%w\n%s", err, p.logTail(8<<10))
	}
	return k, nil
}

// Stop stops kamailio as a crash or a restart would (every binding is lost:
// usrloc keeps them in memory only) and waits until it is gone.
func (k *Kamailio) Stop(t testing.TB) {
	t.Helper()
	k.proc.stop(5 * time.Second)
}

// Start starts a stopped kamailio again on the same ports and waits until
// it serves SIP.
func (k *Kamailio) Start(t testing.TB) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 20; attempt++ { // the old sockets may linger a moment
		var p *proc
		p, err = startProc(t, "kamailio", k.dir, k.bin, k.args, nil)
		if err != nil {
			break
		}
		err = p.waitUntil(10*time.Second, 50*time.Millisecond, func() error {
			if p.exited() {
				return nil
			}
			_, err := k.rpc("core.version")
			return err
		})
		if err == nil && !p.exited() {
			k.proc = p
			return
		}
		p.stop(2 * time.Second)
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("restart kamailio: %v\n%s", err, k.proc.logTail(8<<10))
}

// rpc runs one kamcmd command against this kamailio's control socket.
func (k *Kamailio) rpc(args ...string) (string, error) {
	cmd := exec.Command(k.kamcmd, append([]string{"-s", k.ctl}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kamcmd %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// RPC runs a kamcmd command (e.g. "ul.dump", "core.uptime") and returns its
// output; the test fails if kamcmd does.
func (k *Kamailio) RPC(t testing.TB, args ...string) string {
	t.Helper()
	out, err := k.rpc(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Log returns kamailio's log so far (stderr, debug level 2).
func (k *Kamailio) Log() string { return k.proc.log() }

// Binding is one registered contact, as kamailio's ul.dump shows it.
type Binding struct {
	AOR      string // the user part ("alice"); usrloc runs without domains
	Address  string // the Contact URI, e.g. sip:alice@127.0.0.1:5080
	Received string // source address for NATed/WebSocket clients, "" if not set
	Socket   string // kamailio's socket it arrived on, e.g. udp:127.0.0.1:5060
	Expires  string // seconds left, or "permanent"
}

// Bindings returns all current registrations.
func (k *Kamailio) Bindings(t testing.TB) []Binding {
	t.Helper()
	out, err := k.rpc("ul.dump")
	if err != nil {
		t.Fatal(err)
	}
	return parseULDump(out)
}

// Contacts returns the contact URIs currently bound to the AOR user (the user
// part, e.g. "alice"; a "user@domain" AOR matches too).
func (k *Kamailio) Contacts(t testing.TB, user string) []string {
	t.Helper()
	var uris []string
	for _, b := range k.Bindings(t) {
		if b.AOR == user || strings.HasPrefix(b.AOR, user+"@") {
			uris = append(uris, b.Address)
		}
	}
	return uris
}

// WaitContacts polls until user has at least n bindings or the timeout
// passes, and returns the contacts (fails the test on timeout).
func (k *Kamailio) WaitContacts(t testing.TB, user string, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c := k.Contacts(t, user)
		if len(c) >= n {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("kamailio: %q has %d binding(s) after %v, want %d: %v", user, len(c), timeout, n, c)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parseULDump reads kamcmd's ul.dump tree, which has one "AoR:" line per
// record followed by "Contact: {" blocks of "Key: value" lines.
func parseULDump(out string) []Binding {
	var (
		list []Binding
		aor  string
		cur  *Binding
	)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, val, ok := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		switch {
		case line == "Contact: {":
			list = append(list, Binding{AOR: aor})
			cur = &list[len(list)-1]
		case !ok || cur == nil && key != "AoR":
		case key == "AoR":
			aor, cur = val, nil
		case key == "Address":
			cur.Address = val
		case key == "Received":
			if val != "[not set]" {
				cur.Received = val
			}
		case key == "Socket":
			cur.Socket = val
		case key == "Expires":
			cur.Expires = val
		}
	}
	return list
}
