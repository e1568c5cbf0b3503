package testrig

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// LinphoneOptions configures a linphonec (liblinphone's console phone,
// Debian package linphone-cli): a second independent SIP and media stack
// (belle-sip, mediastreamer2) for classic SIP calls.
type LinphoneOptions struct {
	User      string // SIP user; default "lin"
	Registrar string // host:port of a registrar (Kamailio.UDPAddr)
	// AutoAnswer answers incoming calls at once (linphonec -a).
	AutoAnswer bool
	// PlayWAV is sent in calls (16-bit PCM mono WAV; linphone's file
	// mode), RecordWAV receives what linphone hears.
	PlayWAV, RecordWAV string
	// SRTP is linphone's media_encryption: "" (none) or "srtp" (SDES,
	// RTP/SAVP).
	SRTP string
}

// Linphone is a running linphonec, driven through its console.
type Linphone struct {
	opts  LinphoneOptions
	stdin io.WriteCloser
	mu    sync.Mutex
	lines []string
	grew  chan struct{}
	log   strings.Builder
}

// StartLinphone runs linphonec registering at opts.Registrar (wait for it
// with Kamailio.WaitContacts: the console does not say); it is stopped at
// Cleanup.
func StartLinphone(t testing.TB, opts LinphoneOptions) *Linphone {
	t.Helper()
	bin := mustBin(t, "linphonec")
	if opts.User == "" {
		opts.User = "lin"
	}
	dir := t.TempDir()
	enc := "none"
	if opts.SRTP != "" {
		enc = opts.SRTP
	}
	rc := fmt.Sprintf(`[sip]
use_ipv6=0
bind_address=127.0.0.1
guess_hostname=0
supported=replaces
contact=sip:%s@127.0.0.1
sip_port=%d
sip_tcp_port=0
sip_tls_port=0
default_proxy=0
media_encryption=%s
media_encryption_mandatory=%d
register_only_when_network_is_up=0
[rtp]
audio_rtp_port=%d
audio_jitt_comp=60
[sound]
echocancellation=0
[net]
firewall_policy=0
[video]
enabled=0
capture=0
display=0
[proxy_0]
reg_proxy=<sip:%s;transport=udp>
reg_identity=sip:%s@%s
reg_expires=600
reg_sendregister=1
publish=0
`, opts.User, FreePort(t, "udp"), enc, map[bool]int{false: 0, true: 1}[opts.SRTP != ""], evenFreePort(t), opts.Registrar, opts.User, opts.Registrar)
	// Without its database directory the core never starts (no SIP
	// listening point at all).
	if err := os.MkdirAll(filepath.Join(dir, ".local", "share", "linphone"), 0o755); err != nil {
		t.Fatal(err)
	}
	rcPath := filepath.Join(dir, "linphonerc")
	if err := os.WriteFile(rcPath, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-c", rcPath, "-d", "0"}
	if opts.AutoAnswer {
		args = append(args, "-a")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	l := &Linphone{opts: opts, stdin: stdin, grew: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.log.WriteString(sc.Text() + "\n")
			close(l.grew)
			l.grew = make(chan struct{})
			l.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_, _ = io.WriteString(stdin, "terminate all\nquit\n")
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		<-read
		if t.Failed() {
			t.Logf("--- linphonec log ---\n%s", l.Log())
		}
	})
	// Short names relative to linphonec's directory: its console wraps
	// long lines.
	l.Command("soundcard use files")
	if opts.PlayWAV != "" {
		if err := os.Symlink(opts.PlayWAV, filepath.Join(dir, "play.wav")); err != nil {
			t.Fatal(err)
		}
		l.Command("play play.wav")
	}
	if opts.RecordWAV != "" {
		if err := os.Symlink(opts.RecordWAV, filepath.Join(dir, "rec.wav")); err != nil {
			t.Fatal(err)
		}
		l.Command("record rec.wav")
	}
	return l
}

// evenFreePort is a free even UDP port (RTP, RFC 3550 §11).
func evenFreePort(t testing.TB) int {
	for range 50 {
		if p := FreePort(t, "udp"); p%2 == 0 {
			return p
		}
	}
	t.Fatal("no even free UDP port")
	return 0
}

// Command types one console command.
func (l *Linphone) Command(cmd string) {
	_, _ = io.WriteString(l.stdin, cmd+"\n")
}

// Wait returns the first console line, since the previous Wait, that
// contains substr (case-insensitive).
func (l *Linphone) Wait(ctx context.Context, substr string) (string, error) {
	want := strings.ToLower(substr)
	for {
		l.mu.Lock()
		for i, s := range l.lines {
			if strings.Contains(strings.ToLower(s), want) {
				l.lines = l.lines[i+1:]
				l.mu.Unlock()
				return s, nil
			}
		}
		grew := l.grew
		l.mu.Unlock()
		select {
		case <-grew:
		case <-ctx.Done():
			return "", fmt.Errorf("no linphonec line with %q: %w", substr, ctx.Err())
		}
	}
}

// Log is everything linphonec printed.
func (l *Linphone) Log() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.log.String()
}
