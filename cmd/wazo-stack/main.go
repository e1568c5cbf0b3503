// Command wazo-stack runs Parley's embedded Wazo Platform stand-in alone:
// wazo-auth, confd, calld, websocketd and SIP over WSS at /api/asterisk/ws
// with scripted peers (9000 echo, 1001 Tone Bot, 1002 Chord Bot, 1003 busy,
// 1004 no answer, 1005 silent). It prints the URL and the certificate
// SHA-256 to pin, then reads commands on stdin:
//
//	ring [NUMBER [NAME]]   make a bot call the user (default 1001 Tone Bot)
//	calls                  list live channels
//	quit                   stop
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wazo-stack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8443", "HTTPS listen address (host:port; port 0 = any)")
	user := fs.String("user", "demo", "wazo-auth username")
	password := fs.String("password", "demo", "wazo-auth password")
	lineUser := fs.String("line-username", "demo-line", "SIP line digest username")
	linePassword := fs.String("line-password", "demo-line-secret", "SIP line digest password")
	exten := fs.String("exten", "1000", "the user's own extension")
	hostname := fs.String("hostname", "", "extra DNS name for the self-signed certificate")
	qualify := fs.Duration("qualify", 60*time.Second, "OPTIONS interval on registered flows")
	verbose := fs.Bool("v", false, "debug logs on stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts := []wazostandin.Option{wazostandin.WithLogger(log), wazostandin.WithAddr(*addr),
		wazostandin.WithQualifyInterval(*qualify)}
	if *hostname != "" {
		opts = append(opts, wazostandin.WithHostnames(*hostname))
	}
	st := wazostandin.New(opts...)
	defer func() { _ = st.Close() }()
	u, err := st.AddUser(wazostandin.User{Username: *user, Password: *password, Firstname: "Demo", Lastname: "User",
		Lines: []wazostandin.Line{{WebRTC: true, Username: *lineUser, Password: *linePassword,
			Extensions: []wazostandin.Extension{{Exten: *exten, Context: "default"}}}}})
	if err != nil {
		fmt.Fprintln(stderr, "wazo-stack:", err)
		return 1
	}
	url, err := st.Start()
	if err != nil {
		fmt.Fprintln(stderr, "wazo-stack: cannot listen:", err)
		return 1
	}
	cert, err := st.Certificate()
	if err != nil {
		fmt.Fprintln(stderr, "wazo-stack:", err)
		return 1
	}
	pin := wazostandin.CertificateSHA256(cert)
	fmt.Fprintf(stdout, "url %s\n", url)
	fmt.Fprintf(stdout, "sip wss://%s/api/asterisk/ws\n", strings.TrimPrefix(url, "https://"))
	fmt.Fprintf(stdout, "certificate-sha256 %s\n", hex.EncodeToString(pin[:]))
	fmt.Fprintf(stdout, "login %s / %s, line %s / %s, extension %s\n", *user, *password, *lineUser, *linePassword, *exten)
	fmt.Fprintln(stdout, "commands: ring [NUMBER [NAME]], calls, quit")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lines := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go func() { // stdin reader: ends at EOF, or at its next line once run returned
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return 0
		case l, ok := <-lines:
			if !ok {
				<-ctx.Done() // stdin closed (e.g. run in the background): serve until a signal
				return 0
			}
			if quit := command(st, u.UUID, l, stdout); quit {
				return 0
			}
		}
	}
}

// command runs one stdin command; true means quit.
func command(st *wazostandin.Stack, userUUID, line string, out io.Writer) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "quit", "exit":
		return true
	case "calls":
		for _, c := range st.Calls().All() {
			fmt.Fprintf(out, "%s %s %s <%s> talking_to=%v\n", c.CallID, c.Status, c.CallerIDName, c.CallerIDNumber, c.TalkingToIDs())
		}
	case "ring":
		num, name := "1001", "Tone Bot"
		if len(f) > 1 {
			num, name = f[1], "Caller "+f[1]
		}
		if len(f) > 2 {
			name = strings.Join(f[2:], " ")
		}
		opts := []wazostandin.RingOption{}
		if p, ok := wazostandin.DefaultExtensions()[num]; ok && (p.Kind == wazostandin.PeerTone || p.Kind == wazostandin.PeerEcho || p.Kind == wazostandin.PeerRecorder) {
			opts = append(opts, wazostandin.WithRingPeer(p))
			if len(f) <= 2 {
				name = p.Name
			}
		}
		rc, err := st.Ring(userUUID, num, name, opts...)
		if err != nil {
			fmt.Fprintln(out, "ring:", err)
			return false
		}
		fmt.Fprintf(out, "ringing: call_id %s (peer %s)\n", rc.UserCallID, rc.PeerCallID)
	default:
		fmt.Fprintln(out, "unknown command; use ring [NUMBER [NAME]], calls, quit")
	}
	return false
}
