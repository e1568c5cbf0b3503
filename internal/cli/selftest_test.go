package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/selftest"
)

// TestSelfTestOnTheDemoLine: the window's checker, wired as runGUI wires
// it, passes on the demo line (the embedded Wazo stand-in), and its bundle
// has the real SIP exchange with every credential taken out.
func TestSelfTestOnTheDemoLine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	diag := newDiagnostics()
	logger := diag.teeLogger(slog.DiscardHandler)
	sess, err := startSession(ctx, Settings{Demo: true, Audio: audioOff}, logger, true)
	if err != nil {
		t.Fatal(err)
	}
	attachSelfTest(sess, diag, logger)
	defer sess.close()
	if sess.selfTest == nil {
		t.Fatal("no self-test attached")
	}

	var mu sync.Mutex
	got := map[string]gui.CheckLine{}
	sess.selfTest.Run(ctx, func(l gui.CheckLine) {
		mu.Lock()
		got[l.ID] = l
		mu.Unlock()
	})
	for id, verdict := range map[string]gui.Verdict{
		"server": gui.VerdictOK, "certificate": gui.VerdictOK, "registration": gui.VerdictOK, "websocket": gui.VerdictOK,
		"ice-host": gui.VerdictOK, "ice-relay": gui.VerdictNotChecked, "microphone": gui.VerdictNotChecked,
	} {
		if got[id].Verdict != verdict {
			t.Errorf("%s: %s %q, want %s", id, got[id].Verdict, got[id].Summary, verdict)
		}
	}
	var last []gui.CheckLine
	for _, c := range sess.selfTest.Checks() {
		last = append(last, got[c.ID])
	}

	var buf bytes.Buffer
	if err := sess.selfTest.SaveDiagnostics(&buf, last); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	sipLog := files["sip.txt"]
	t.Logf("sip.txt begins:\n%.1500s", sipLog)
	if !strings.Contains(sipLog, "REGISTER sip:") || !strings.Contains(sipLog, "SIP/2.0 200 OK") {
		t.Errorf("sip.txt lacks the registration:\n%.2000s", sipLog)
	}
	if !strings.Contains(sipLog, "Authorization: (redacted)") {
		t.Errorf("sip.txt shows no redacted Authorization header (the stand-in challenges REGISTER):\n%.3000s", sipLog)
	}
	// The demo login password, "demo", is a word of the demo line's name;
	// the line's SIP password and the session's tokens are real secrets.
	secrets := append([]string{demo.DefaultLinePassword}, sess.secrets()...)
	if len(secrets) < 2 {
		t.Fatal("the session reports no token")
	}
	for name, body := range files {
		for _, s := range secrets {
			if len(s) >= 3 && strings.Contains(body, s) {
				t.Errorf("%s holds the secret %q", name, s)
			}
		}
		for _, line := range strings.Split(body, "\n") {
			l := strings.ToLower(strings.TrimSpace(line))
			if (strings.HasPrefix(l, "authorization:") || strings.HasPrefix(l, "proxy-authorization:")) && !strings.HasSuffix(l, "(redacted)") {
				t.Errorf("%s keeps a credential: %q", name, line)
			}
			if strings.Contains(l, "response=\"") {
				t.Errorf("%s keeps a digest response: %q", name, line)
			}
		}
	}
	if !strings.Contains(files["checks.txt"], "SIP registration: ok") || !strings.Contains(files["config.json"], `"demo"`) && !strings.Contains(files["config.json"], `"account"`) {
		t.Errorf("checks or config missing:\n%s\n%s", files["checks.txt"], files["config.json"])
	}
	if !strings.Contains(files["version.txt"], "Parley ") {
		t.Errorf("version.txt: %q", files["version.txt"])
	}
}

// TestSelfTestMessagesWorded: the window words every name and sentence the
// checks can report, so none shows in English in another language.
func TestSelfTestMessagesWorded(t *testing.T) {
	keys := selftest.Messages()
	if len(keys) < 40 {
		t.Fatalf("only %d messages listed", len(keys))
	}
	for _, key := range keys {
		if !gui.SelfTestKnows(key) {
			t.Errorf("the window does not word %q (add it to gui/selftestwords.go and the translations)", key)
		}
	}
}

// TestCheckLineCarriesMessages: the adapter hands the window the
// sentences before wording, not only their English.
func TestCheckLineCarriesMessages(t *testing.T) {
	r := selftest.Result{ID: selftest.CheckServer, Summary: "pbx answers on port 5061.",
		SummaryMsg: selftest.Message{Key: "{{.Host}} answers on port {{.Port}}.", Values: map[string]string{"Host": "pbx", "Port": "5061"}},
		AdviceMsg:  selftest.Message{Key: "Sign in first."}}
	l := checkLine(r)
	if l.SummaryText.Key != r.SummaryMsg.Key || l.SummaryText.Values["Port"] != "5061" || l.AdviceText.Key != "Sign in first." || l.Summary != r.Summary {
		t.Errorf("checkLine(%+v) = %+v", r, l)
	}
}
