package cli

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/selftest"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// session is a connected line, whatever its kind, plus what the front ends
// offer beside the phone.
type session struct {
	api      phone.API
	actions  []gui.Action
	commands []headless.Option
	// conferences follows the line's ad-hoc conference backend (calld on a
	// Wazo line, local mixing on a plain SIP line) for both front ends; nil
	// when audio is off.
	conferences *conference.Tracker
	// desk is a Wazo line's contact-centre services; nil elsewhere.
	desk *desk.Desk
	// warnings are shown in the window for as long as it is open.
	warnings []gui.Option
	// audio drives the window's audio settings; nil when audio is off.
	audio gui.AudioController
	close func()
	// On a Wazo line: refreshToken is the session's refresh token (to sign
	// in without the password next time), and signOut closes the line
	// revoking it. nil elsewhere.
	refreshToken func() string
	signOut      func()
	// settings are the ones the line started with; check is what "Check
	// my setup" looks at (the start functions fill in the server), and
	// selfTest backs it in the window (selftest.go); secrets are the
	// line's current tokens, kept out of the diagnostics.
	settings Settings
	check    selftest.Config
	selfTest gui.SelfTest
	secrets  func() []string
}

// guiOptions is what the window offers beside the phone.
func (sess *session) guiOptions() []gui.Option {
	opts := []gui.Option{gui.WithActions(sess.actions...)}
	opts = append(opts, sess.warnings...)
	if sess.conferences != nil {
		opts = append(opts, gui.WithConferences(sess.conferences))
	}
	if sess.desk != nil {
		opts = append(opts, gui.WithDesk(sess.desk))
	}
	if sess.audio != nil {
		opts = append(opts, gui.WithAudioSettings(sess.audio))
		if ac, ok := sess.audio.(audioController); ok {
			opts = append(opts, gui.WithSoundPlayer(messagePlayer(ac)))
		}
	}
	if sess.selfTest != nil {
		opts = append(opts, gui.WithSelfTest(sess.selfTest))
	}
	return opts
}

// withLocalConferences gives a plain SIP line the local mixing backend.
func withLocalConferences(sess *session, sound *soundSystem, logger *slog.Logger) error {
	conf, err := conference.NewLocal(sess.api, sound.engine, conference.WithLogger(logger))
	if err != nil {
		sess.close()
		return err
	}
	sess.addConferences(conf)
	return nil
}

// addConferences offers the backend to both front ends and closes it
// before the line.
func (sess *session) addConferences(conf conference.Backend) {
	tracker := conference.NewTracker(sess.api, conf)
	sess.conferences = tracker
	sess.commands = append(sess.commands, headless.WithConferences(tracker, sess.api))
	closeLine := sess.close
	sess.close = func() {
		tracker.Close()
		_ = conf.Close()
		closeLine()
	}
}

// withSound starts the audio engine for the session's phone and its tones.
// It must run before the phone is created: the engine is a phone option.
func withSound(ctx context.Context, s Settings, logger *slog.Logger) (*soundSystem, []phone.Option, error) {
	sound, err := openSound(s.Audio, logger)
	if err != nil || sound == nil {
		return nil, nil, err
	}
	return sound, []phone.Option{sound.phoneOption()}, nil
}

// attachSound plays tones for the session and releases the engine on close.
func attachSound(ctx context.Context, sess *session, sound *soundSystem) {
	if sound == nil {
		return
	}
	sess.check.Audio = sound.host
	if sound.noDevice != nil {
		sess.warnings = append(sess.warnings, gui.WithWarningAbout(gui.WarningNoSound, sound.noDevice))
		sess.check.Audio = noDeviceHost{errors.Join(audio.ErrNoDevice, sound.noDevice)}
	}
	detach := sound.attach(ctx, sess.api)
	sess.audio = audioController{engine: sound.engine}
	closeRest := sess.close
	sess.close = func() {
		closeRest()
		detach()
		sound.close()
	}
}

// withConferences gives a Wazo line its calld conference backend.
func withConferences(sess *session, line *wazoline.Line, logger *slog.Logger) error {
	conf, err := conference.NewWazo(line, conference.WithLogger(logger))
	if err != nil {
		return err
	}
	sess.addConferences(conf)
	sess.addDesk(desk.New(line, desk.WithLogger(logger)))
	return nil
}

// addDesk offers a Wazo line's contact-centre services to both front ends
// and stops them before the line closes.
func (sess *session) addDesk(d *desk.Desk) {
	sess.desk = d
	sess.commands = append(sess.commands, headless.WithDesk(d))
	closeLine := sess.close
	sess.close = func() {
		d.Close()
		closeLine()
	}
}

// startWazo signs in to a Wazo stack and connects its WebRTC line.
func startWazo(ctx context.Context, s Settings, logger *slog.Logger, extra ...phone.Option) (*session, error) {
	opts := []wazoline.Option{wazoline.WithLogger(logger), wazoline.WithPhoneOptions(phoneOptions(s, logger, extra...)...)}
	var pinned *[sha256.Size]byte
	if s.Wazo.CertificatePin != "" {
		pin, err := wazoline.ParseFingerprint(s.Wazo.CertificatePin)
		if err != nil {
			return nil, err
		}
		opts = append(opts, wazoline.WithPinnedCertificate(pin))
		pinned = &pin
	}
	if s.Wazo.StaySignedIn {
		opts = append(opts, wazoline.WithStaySignedIn())
	}
	if s.Wazo.RefreshToken != "" && s.Account.Password == "" {
		opts = append(opts, wazoline.WithRefreshToken(s.Wazo.RefreshToken))
	}
	line, err := wazoline.Connect(ctx, s.Wazo.Server, s.Account.Username, s.Account.Password, opts...)
	if err != nil {
		return nil, err
	}
	// Signing out revokes the refresh token; closing (quitting) keeps it
	// when StaySignedIn. signOut runs the whole close chain that the front
	// ends wrap around this one.
	var revoke atomic.Bool
	sess := &session{api: line.API(), refreshToken: line.RefreshToken, close: func() {
		if revoke.Load() {
			closeWithin(line.SignOut)
		} else {
			closeWithin(line.Close)
		}
	}}
	sess.signOut = func() {
		revoke.Store(true)
		sess.close()
	}
	sess.check.Server, sess.check.Socket, sess.secrets = selfTestTarget(s.Wazo.Server, pinned), line, lineTokens(line)
	if err := withConferences(sess, line, logger); err != nil {
		sess.close()
		return nil, err
	}
	return sess, nil
}

// startDemo runs the embedded Wazo stand-in on loopback and signs in to it,
// so every feature can be tried without an account.
func startDemo(ctx context.Context, s Settings, logger *slog.Logger, extra ...phone.Option) (*session, error) {
	d, err := demo.Start(ctx, demo.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	opts := []wazoline.Option{
		wazoline.WithLogger(logger),
		wazoline.WithPinnedCertificate(d.CertificateSHA256()),
		wazoline.WithPhoneOptions(phoneOptions(s, logger, extra...)...),
	}
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(), opts...)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("demo mode: %w", err)
	}
	ringMe := func(from string) error {
		_, err := d.RingMe(from)
		return err
	}
	sess := &session{
		api: line.API(),
		actions: []gui.Action{
			{Label: "Demo: have the Tone Bot call me", Kind: gui.ActionDemoToneBot, Run: func(context.Context) error { return ringMe("1001") }},
			{Label: "Demo: have the Echo line call me", Kind: gui.ActionDemoEcho, Run: func(context.Context) error { return ringMe("9000") }},
			{Label: "Demo: have a supervisor pause my agent", Kind: gui.ActionDemoSupervisor, Run: func(context.Context) error {
				if d.Stack().SupervisorPause(d.AgentNumber(), "coaching") != nil {
					return errors.New("your agent must be logged in first (Agent menu)") // the stand-in's 409 "not logged in"
				}
				return nil
			}},
			{Label: "Demo: have the Chord Bot leave me a voicemail", Kind: gui.ActionDemoVoicemail, Run: func(context.Context) error {
				return d.LeaveVoicemail("Chord Bot", "1002", 3*time.Second)
			}},
		},
		commands: []headless.Option{headless.WithCommand("ring_me", func(_ context.Context, args json.RawMessage) (any, error) {
			var a struct {
				From string `json:"from"`
			}
			if len(args) > 0 {
				if err := json.Unmarshal(args, &a); err != nil {
					return nil, fmt.Errorf("ring_me takes {\"from\": \"1001\"}: %w", err)
				}
			}
			return nil, ringMe(a.From)
		}), headless.WithCommand("leave_voicemail", func(context.Context, json.RawMessage) (any, error) {
			// The Chord Bot leaves a 3 s message: a voicemail_created event follows.
			return nil, d.LeaveVoicemail("Chord Bot", "1002", 3*time.Second)
		})},
		close: func() {
			closeWithin(line.Close)
			_ = d.Close()
		},
	}
	pin := d.CertificateSHA256()
	sess.check.Server, sess.check.Socket, sess.secrets = selfTestTarget(d.Host(), &pin), line, lineTokens(line)
	if err := withConferences(sess, line, logger); err != nil {
		sess.close()
		return nil, err
	}
	return sess, nil
}

// startSIP prepares a plain SIP line. connectNow makes it register before
// returning (headless); otherwise registration runs in the background and
// shows up as events (the GUI shows "Registering…" at once).
func startSIP(ctx context.Context, s Settings, logger *slog.Logger, connectNow bool, extra ...phone.Option) (*session, error) {
	p, err := phone.New(s.Account, phoneOptions(s, logger, extra...)...)
	if err != nil {
		return nil, err
	}
	sess := &session{api: p, close: func() { closeWithin(p.Disconnect) }}
	sess.check.Server = selftest.Target{Address: s.Account.Server, Transport: s.Account.Transport}
	if s.Account.TLS != nil {
		sess.check.Server.RootCAs = s.Account.TLS.RootCAs
	}
	if !connectNow {
		go func() {
			if err := p.Connect(ctx); err != nil {
				logger.Warn("registration", "err", err)
			}
		}()
		return sess, nil
	}
	if err := p.Connect(ctx); err != nil {
		if !retriable(err) || s.FailUnreachable {
			sess.close()
			return nil, err
		}
		// The line keeps retrying in the background and reports it as
		// events: a phone that stays up tells the script when it is back.
		logger.Warn("not registered yet; retrying in the background", "err", err)
	}
	return sess, nil
}

func phoneOptions(s Settings, logger *slog.Logger, extra ...phone.Option) []phone.Option {
	opts := append([]phone.Option{phone.WithLogger(logger)}, extra...)
	if s.LocalIP != "" {
		opts = append(opts, phone.WithLocalIP(s.LocalIP))
	}
	if len(s.Line.STUN) > 0 || len(s.Codecs) > 0 || s.Line.TURN != "" {
		opts = append(opts, phone.WithMedia(rtc.Config{ICEServers: s.Line.STUN, TURN: turnServers(s.Line), Codecs: s.Codecs}))
	}
	return append(opts, lineOptions(s.Line)...)
}

// turnServers is the line's TURN relay for rtc, if one is set.
func turnServers(l LineSettings) []rtc.TURNServer {
	if l.TURN == "" {
		return nil
	}
	return []rtc.TURNServer{{URL: l.TURN, Username: l.TURNUser, Credential: l.TURNPassword}}
}

func closeWithin(f func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = f(ctx)
}
