package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"sync"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/diaglog"
	"github.com/parley-voip/parley/internal/selftest"
	"github.com/parley-voip/parley/internal/version"
	"github.com/parley-voip/parley/wazo"
)

// diagnostics is what a windowed Parley keeps in memory for "Save
// diagnostics": recent log records (main tees its logger into logs) and
// the last SIP messages.
type diagnostics struct {
	logs *diaglog.Handler
	sip  *diaglog.SIPTrace
}

// processSIPTrace installs the SIP message ring as sipgo's tracer, once per
// process. sipgo offers no per-UA message hook; its tracer and SIPDebug
// switch are package globals read by every transport, so they are set
// here, once, before any line starts (docs/decisions/0017-sip-trace.md).
var processSIPTrace = sync.OnceValue(func() *diaglog.SIPTrace {
	t := diaglog.NewSIPTrace(diaglog.DefaultSIPMessages)
	sip.SIPDebugTracer(t)
	sip.SIPDebug = true
	return t
})

func newDiagnostics() *diagnostics {
	return &diagnostics{logs: diaglog.NewHandler(diaglog.DefaultLogLines), sip: processSIPTrace()}
}

// teeLogger sends base's records to the diagnostics too (at every level:
// the bundle has the detail stderr does not show).
func (d *diagnostics) teeLogger(base slog.Handler) *slog.Logger {
	if d == nil {
		return slog.New(base)
	}
	return slog.New(diaglog.Tee(base, d.logs))
}

// noDeviceHost stands for a sound system that found no usable device: the
// self-test then says so, instead of measuring the silent fallback.
type noDeviceHost struct{ err error }

func (h noDeviceHost) Devices(audio.Kind) ([]audio.DeviceInfo, error) { return nil, h.err }
func (h noDeviceHost) Open(audio.DeviceConfig) (audio.Device, error)  { return nil, h.err }

// selfTestTarget is the Wazo stack a Wazo or demo line talks to.
func selfTestTarget(server string, pin *[sha256.Size]byte) selftest.Target {
	return selftest.Target{Address: server, Transport: "https", Pin: pin}
}

// attachSelfTest gives the window "Check my setup" and "Save diagnostics"
// for sess, following its calls' quality until the session closes.
func attachSelfTest(sess *session, diag *diagnostics, logger *slog.Logger) {
	cfg := sess.check
	cfg.Phone = sess.api
	cfg.STUN = sess.settings.Line.STUN
	cfg.TURN = turnServers(sess.settings.Line)
	cfg.Logger = logger
	api := sess.api
	cfg.InCall = func() bool { return len(api.Calls()) > 0 }
	if sess.settings.Audio == audioNull {
		cfg.Audio = nil
		cfg.AudioOff = selftest.AudioSilentDevices()
	}
	quality := selftest.NewQualityLog(sess.api, 20)
	st := &selfTest{checker: selftest.New(cfg), audio: cfg.Audio, settings: sess.settings, diag: diag, quality: quality, secrets: sess.secrets}
	sess.selfTest = st
	closeRest := sess.close
	sess.close = func() {
		closeRest()
		quality.Close()
	}
}

// selfTest is gui.SelfTest on top of internal/selftest.
type selfTest struct {
	checker  *selftest.Checker
	audio    audio.Host
	settings Settings
	diag     *diagnostics
	quality  *selftest.QualityLog
	// secrets returns the session's current secrets (tokens change).
	secrets func() []string
}

var _ gui.SelfTest = (*selfTest)(nil)

// Checks implements gui.SelfTest.
func (t *selfTest) Checks() []gui.CheckLine {
	var out []gui.CheckLine
	for _, c := range selftest.All() {
		out = append(out, gui.CheckLine{ID: c.ID, Name: c.Name})
	}
	return out
}

// Run implements gui.SelfTest.
func (t *selfTest) Run(ctx context.Context, report func(gui.CheckLine)) {
	t.checker.Run(ctx, func(r selftest.Result) { report(checkLine(r)) })
}

func checkLine(r selftest.Result) gui.CheckLine {
	return gui.CheckLine{ID: r.ID, Name: r.Name, Verdict: gui.Verdict(r.Status), Summary: r.Summary, Advice: r.Advice,
		SummaryText: gui.CheckText(r.SummaryMsg), AdviceText: gui.CheckText(r.AdviceMsg)}
}

// SaveDiagnostics implements gui.SelfTest.
func (t *selfTest) SaveDiagnostics(w io.Writer, last []gui.CheckLine) error {
	b := selftest.Bundle{
		Version: version.Get().String(),
		Config:  bundleConfig(t.settings),
		Secrets: []string{t.settings.Account.Password},
		Calls:   t.quality.Calls(),
		Audio:   t.audio,
	}
	if t.secrets != nil {
		b.Secrets = append(b.Secrets, t.secrets()...)
	}
	for _, l := range last {
		b.Checks = append(b.Checks, selftest.Result{ID: l.ID, Name: l.Name, Status: selftest.Status(l.Verdict), Summary: l.Summary, Advice: l.Advice})
	}
	if t.diag != nil {
		b.Logs = t.diag.logs.Lines()
		b.SIP = t.diag.sip.Messages()
	}
	if err := b.Write(w); err != nil {
		return errors.Join(errors.New("the diagnostics could not be written"), err)
	}
	return nil
}

// lineTokens returns a Wazo line's current tokens, read when a bundle is
// written (they are renewed while Parley runs).
func lineTokens(line interface{ Client() *wazo.Client }) func() []string {
	return func() []string {
		s, ok := line.Client().Session()
		if !ok {
			return nil
		}
		return []string{s.Token, s.RefreshToken}
	}
}

// bundleConfig is -show-config's view plus what only a windowed start has.
func bundleConfig(s Settings) map[string]any {
	cfg := effectiveConfig(s)
	cfg["demo"] = s.Demo
	cfg["audio"] = s.Audio
	return cfg
}
