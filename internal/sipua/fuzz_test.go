package sipua

// Fuzz campaigns for what comes in from the network: any datagram at a
// started UA's UDP socket goes through sipgo's parser, its transaction
// layer and our handlers (server.go), exactly as a peer's would. Run them
// with scripts/fuzz.sh (docs/testing.md, "Fuzzing").

import (
	"context"
	"fmt"
	"github.com/parley-voip/parley/internal/logtest"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/lograte"
)

// rejectAll turns every call that gets through down: a fuzzed INVITE that
// is well formed enough reaches the application.
type rejectAll struct{ *testHandler }

func (rejectAll) OnIncoming(_ context.Context, in *Incoming) { _ = in.Reject(486, "") }

// startFuzzUA starts an unregistered UDP UA on loopback, closed at cleanup.
func startFuzzUA(tb testing.TB, log *slog.Logger) *UA {
	tb.Helper()
	ua, err := New(Config{Transport: "udp", Server: "127.0.0.1:9", Username: "1001",
		LocalIP: "127.0.0.1", RegisterExpiry: -1}, rejectAll{newTestHandler()}, WithLogger(log))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ua.Start(ctx); err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ua.Close(ctx)
	})
	return ua
}

// probeUA sends an OPTIONS from a fresh socket and waits for its 200: the
// UA still answers, so whatever came before neither crashed nor blocked it.
func probeUA(uaAddr string) error {
	c, err := net.Dial("udp", uaAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	port := c.LocalAddr().(*net.UDPAddr).Port
	msg := rawRequest(sip.OPTIONS, "probe-"+randomToken(10), "UDP", port, "").build()
	branch := branchOf(msg)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 65535)
	for {
		_ = c.SetReadDeadline(deadline)
		n, err := c.Read(buf)
		if err != nil {
			return fmt.Errorf("no answer to OPTIONS: %w", err)
		}
		m, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		if res, ok := m.(*sip.Response); ok && res.Via() != nil {
			if b, _ := res.Via().Params.Get("branch"); b == branch && !res.IsProvisional() {
				if res.StatusCode != 200 {
					return fmt.Errorf("OPTIONS answered %d", res.StatusCode)
				}
				return nil
			}
		}
	}
}

// fuzzSeeds are real requests and responses, so the fuzzer starts from
// messages that reach our handlers rather than from sipgo's parse errors.
func fuzzSeeds() []string {
	inv := rawRequest(sip.INVITE, "seed-invite", "UDP", 5060, testSDP).build()
	inDialog := func(m sip.RequestMethod, extra ...string) string {
		r := rawRequest(m, "seed-"+string(m), "UDP", 5060, "").with("To", "<sip:1001@127.0.0.1>;tag=abc")
		for i := 0; i+1 < len(extra); i += 2 {
			r.with(extra[i], extra[i+1])
		}
		return string(r.build())
	}
	return []string{
		string(inv),
		inDialog(sip.BYE),
		inDialog(sip.INFO, "Content-Type", "application/dtmf-relay"),
		inDialog(sip.REFER, "Refer-To", "<sip:1003@x?Replaces=a%3Bto-tag%3Db%3Bfrom-tag%3Dc>", "Referred-By", "<sip:a@b>"),
		inDialog(sip.NOTIFY, "Event", "refer;id=1", "Subscription-State", "active;expires=60", "Content-Type", "message/sipfrag;version=2.0"),
		string(rawRequest(sip.OPTIONS, "seed-options", "UDP", 5060, "").build()),
		string(rawRequest(sip.CANCEL, "seed-cancel", "UDP", 5060, "").build()),
		string(rawRequest(sip.ACK, "seed-ack", "UDP", 5060, "").with("To", "<sip:1001@127.0.0.1>;tag=x").build()),
		string(rawRequest(sip.MESSAGE, "seed-message", "UDP", 5060, "").build()),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\n" +
			"To: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: seed-200\r\nCSeq: 7 INVITE\r\nContact: <sip:x@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n",
		"\r\n\r\n",
		"INVITE sip:a SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
	}
}

// FuzzUDPDatagram sends each input as one datagram to a live UA, then
// proves it still answers an OPTIONS from another socket. A panic in any
// of sipgo's or our goroutines ends the process, which the fuzzer reports.
func FuzzUDPDatagram(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	ua := startFuzzUA(f, slog.New(slog.DiscardHandler))
	addr := ua.LocalAddr()
	send, err := net.Dial("udp", addr)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = send.Close() })
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 65000 {
			return // not one UDP datagram
		}
		if _, err := send.Write(b); err != nil {
			t.Skip(err)
		}
		if err := probeUA(addr); err != nil {
			t.Fatalf("after %q: %v", b, err)
		}
	})
}

// FuzzParseMessage runs sipgo's parser and the checks our handlers make
// on what it returns, in process (far faster than FuzzUDPDatagram, so it
// explores deeper).
func FuzzParseMessage(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := sip.ParseMessage(b)
		if err != nil {
			return
		}
		_ = msg.String()
		req, ok := msg.(*sip.Request)
		if !ok {
			res := msg.(*sip.Response)
			_ = res.CSeq()
			_ = res.Via()
			_ = res.Contact()
			return
		}
		if !wellFormed(req) {
			return
		}
		_, _ = checkSDPBody(req)
		if h := req.GetHeader("Refer-To"); h != nil {
			_ = referTarget(h.Value())
		}
		if req.Method == sip.NOTIFY {
			_, _, _ = ParseSipfrag(req.Body())
		}
		if c := req.Contact(); c != nil {
			_ = c.Address.String()
		}
		_ = sip.NewResponseFromRequest(req, 400, "Bad Request", nil)
		_ = strings.ToLower(req.From().Address.User)
	})
}

// TestGarbageLoggedOnce: a flood of unparsable datagrams is one WARN in
// the UA's log, clipped, not one ERROR per datagram carrying the datagram.
func TestGarbageLoggedOnce(t *testing.T) {
	rec := &logtest.Recorder{Level: slog.LevelDebug}
	ua := startFuzzUA(t, slog.New(rec))
	c, err := net.Dial("udp", ua.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	junk := []byte("NOT SIP AT ALL " + strings.Repeat("x", 4000) + "\r\n\r\n")
	for i := 0; i < 200; i++ {
		if _, err := c.Write(junk); err != nil {
			t.Fatal(err)
		}
	}
	if err := probeUA(ua.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	// The OPTIONS was answered, but the last datagrams may still be in
	// sipgo's hands: wait until at least one was logged, then check.
	deadline := time.Now().Add(testTimeout)
	for len(rec.Matching("failed to parse")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	recs := rec.Matching("failed to parse")
	if len(recs) != 1 {
		t.Fatalf("%d 'failed to parse' records for 200 bad datagrams, want 1", len(recs))
	}
	if recs[0].Level != slog.LevelWarn {
		t.Errorf("logged at %s, want WARN", recs[0].Level)
	}
	if v, ok := logtest.Attr(recs[0], "data"); ok && len(v.String()) > lograte.MaxAttr+len("…") {
		t.Errorf("the datagram was logged whole (%d bytes)", len(v.String()))
	}
	for _, r := range rec.Records() {
		if r.Level >= slog.LevelError {
			t.Errorf("ERROR logged for a peer's garbage: %s", r.Message)
		}
	}
}
