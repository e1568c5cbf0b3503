// Package demo runs Parley's demo mode: an embedded Wazo stand-in
// (internal/wazostandin) on loopback with one demo user and scripted contacts,
// so the softphone can log in, register over WSS, place and receive calls
// with real audio without any server.
//
//	d, err := demo.Start(ctx)
//	// log in to d.URL() as d.Username()/d.Password(), pin d.CertificateSHA256()
//	d.RingMe("1001") // Tone Bot calls the user
//	d.Close()
package demo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// Demo credentials (the README tells users to log in with them).
const (
	DefaultUsername     = "demo"
	DefaultPassword     = "demo"
	DefaultLineUsername = "demo-line"
	DefaultLinePassword = "demo-line-secret"
	DefaultExtension    = "1000"
	// DefaultAgentNumber is the demo user's call-centre agent (wazo-agentd):
	// logged out at start, in the queues of DemoQueues.
	DefaultAgentNumber = "8000"
)

// DemoQueues are the queues the demo agent belongs to.
func DemoQueues() []wazostandin.Queue {
	return []wazostandin.Queue{{ID: 1, Name: "support", DisplayName: "Support"}, {ID: 2, Name: "sales", DisplayName: "Sales"}}
}

// Contact is one scripted party of the demo dial plan.
type Contact struct {
	Number      string
	Name        string
	Description string
}

// Contacts is the demo phone book, in display order. Each number is
// dialable; RingMe makes the tone ones call the user.
func Contacts() []Contact {
	return []Contact{
		{"9000", "Echo Test", "plays back what you say"},
		{"1001", "Tone Bot", "plays a 440 Hz tone"},
		{"1002", "Chord Bot", "plays a C major chord"},
		{"1003", "Busy Bot", "is always busy"},
		{"1004", "Sleepy Bot", "rings and never answers"},
		{"1005", "Silent Bot", "listens and says nothing"},
	}
}

// Option configures Start.
type Option func(*config)

type config struct {
	log       *slog.Logger
	addr      string
	stackOpts []wazostandin.Option
	comings   time.Duration
}

// WithLogger sets the logger of the embedded stack.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithComings sets how often a demo colleague (Bruno, 1102) steps away or
// comes back (default 45 s; 0 = never, for tests that count events).
func WithComings(d time.Duration) Option { return func(c *config) { c.comings = d } }

// WithAddr sets the listen address (default 127.0.0.1:0, an ephemeral port).
func WithAddr(a string) Option { return func(c *config) { c.addr = a } }

// WithStackOptions passes extra options to the embedded stack.
func WithStackOptions(o ...wazostandin.Option) Option {
	return func(c *config) { c.stackOpts = append(c.stackOpts, o...) }
}

// DemoVoicemails are the messages waiting in the demo mailbox at start:
// who left them, how long ago, and the tones they are made of (the demo
// has no speech synthesiser; a tune is easy to recognise by ear and by
// frequency). The first is new, the others already listened to.
var DemoVoicemails = []struct {
	Name, Number string
	Ago          time.Duration
	Length       time.Duration
	Tones        []float64
	Read         bool
}{
	{"Tone Bot", "1001", 20 * time.Minute, 4 * time.Second, []float64{523.25, 659.25, 783.99, 1046.5}, false},
	{"Chord Bot", "1002", 26 * time.Hour, 3 * time.Second, []float64{440, 554.37, 659.25}, true},
}

// seedVoicemail gives the demo user mailbox 1000 with DemoVoicemails.
func seedVoicemail(st *wazostandin.Stack, userUUID string) error {
	st.AddVoicemail(userUUID, DefaultExtension, "Demo User")
	for _, v := range DemoVoicemails {
		m, err := st.LeaveVoicemail(userUUID, wazostandin.NewVoicemail{
			CallerIDName: v.Name, CallerIDNum: v.Number, Duration: v.Length,
			Audio: wazostandin.ToneWAV(v.Length, v.Tones...), Time: time.Now().Add(-v.Ago),
		})
		if err != nil {
			return err
		}
		if v.Read {
			if err := st.Calls().MoveUserVoicemailMessage(userUUID, m.ID, wazostandin.VoicemailFolderOld); err != nil {
				return err
			}
		}
	}
	return nil
}

// LeaveVoicemail leaves a new message (a tone) in the demo user's mailbox
// from a demo contact, as if they had called while the user was away.
// Without tones it is the C major chord's notes, one after the other.
func (d *Demo) LeaveVoicemail(name, number string, length time.Duration, tones ...float64) error {
	if len(tones) == 0 {
		tones = []float64{wazostandin.ChordC5Hz, wazostandin.ChordE5Hz, wazostandin.ChordG5Hz}
	}
	_, err := d.stack.LeaveVoicemail(d.user.UUID, wazostandin.NewVoicemail{
		CallerIDName: name, CallerIDNum: number, Duration: length, Audio: wazostandin.ToneWAV(length, tones...),
	})
	return err
}

// Demo is a running demo server.
type Demo struct {
	stack *wazostandin.Stack
	user  wazostandin.User
	url   string
	// colleagues maps a demo colleague's extension to their user uuid.
	colleagues map[string]string
	cert       *x509.Certificate

	once sync.Once
	err  error
	stop chan struct{}
	wg   sync.WaitGroup
}

// Start starts the demo server on loopback. It stops when ctx ends or
// Close is called.
func Start(ctx context.Context, opts ...Option) (*Demo, error) {
	cfg := config{log: slog.New(slog.DiscardHandler), addr: "127.0.0.1:0", comings: 45 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	sopts := append([]wazostandin.Option{wazostandin.WithLogger(cfg.log), wazostandin.WithAddr(cfg.addr),
		wazostandin.WithExtensions(colleagueExtensions(wazostandin.DefaultExtensions()))}, cfg.stackOpts...)
	st := wazostandin.New(sopts...)
	u, err := st.AddUser(wazostandin.User{
		Username: DefaultUsername, Password: DefaultPassword, Firstname: "Demo", Lastname: "User",
		OnlineCallRecord: true,
		Lines: []wazostandin.Line{{WebRTC: true, Username: DefaultLineUsername, Password: DefaultLinePassword,
			Extensions: []wazostandin.Extension{{Exten: DefaultExtension, Context: "default"}}}},
		Agent: &wazostandin.Agent{ID: 1, Number: DefaultAgentNumber, Queues: DemoQueues()},
	})
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("demo: cannot create the demo user: %w", err)
	}
	seedDirectory(st, u.UUID, time.Now())
	if err := seedVoicemail(st, u.UUID); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("demo: cannot fill the demo mailbox: %w", err)
	}
	colleagues, err := addColleagues(st)
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("demo: cannot create the demo colleagues: %w", err)
	}
	// The demo user was available when they last left (chatd keeps the
	// state across sessions).
	_ = st.SetPresence(u.UUID, "available", nil)
	url, err := st.Start()
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("demo: cannot start the demo server: %w", err)
	}
	cert, err := st.Certificate()
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("demo: no certificate: %w", err)
	}
	d := &Demo{stack: st, user: u, url: url, cert: cert, colleagues: colleagues, stop: make(chan struct{})}
	d.runComings(cfg.comings)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		select {
		case <-ctx.Done():
			_ = d.closeStack()
		case <-d.stop:
		}
	}()
	return d, nil
}

func (d *Demo) closeStack() error {
	d.once.Do(func() { d.err = d.stack.Close() })
	return d.err
}

// Close stops the server and everything it runs.
func (d *Demo) Close() error {
	select {
	case <-d.stop:
	default:
		close(d.stop)
	}
	err := d.closeStack()
	d.wg.Wait()
	return err
}

// URL is the server's base URL, e.g. "https://127.0.0.1:41234".
func (d *Demo) URL() string { return d.url }

// Host is host:port of the server (the Wazo "server" setting; SIP goes to
// wss://Host/api/asterisk/ws with SIP domain HostName).
func (d *Demo) Host() string { return strings.TrimPrefix(d.url, "https://") }

// HostName is the host part of Host, the SIP domain (docs/wazo-protocol.md, Lines and registration).
func (d *Demo) HostName() string {
	h := d.Host()
	if i := strings.LastIndex(h, ":"); i >= 0 {
		return h[:i]
	}
	return h
}

// WSPath is the SIP WebSocket path.
func (d *Demo) WSPath() string { return "/api/asterisk/ws" }

// Username and Password log in to wazo-auth.
func (d *Demo) Username() string { return DefaultUsername }

// Password is the demo user's wazo-auth password.
func (d *Demo) Password() string { return DefaultPassword }

// LineUsername and LinePassword are the SIP line's digest credentials
// (what confd hands the client after login, docs/wazo-protocol.md, Lines and registration).
func (d *Demo) LineUsername() string { return DefaultLineUsername }

// LinePassword is the SIP line's digest password.
func (d *Demo) LinePassword() string { return DefaultLinePassword }

// UserUUID is the demo user's uuid.
func (d *Demo) UserUUID() string { return d.user.UUID }

// Certificate is the server's self-signed certificate.
func (d *Demo) Certificate() *x509.Certificate { return d.cert }

// CertificateSHA256 is the pin for wazo.WithPinnedCertificate.
func (d *Demo) CertificateSHA256() [32]byte { return wazostandin.CertificateSHA256(d.cert) }

// CertificatePin is CertificateSHA256 in hex, for display and config files.
func (d *Demo) CertificatePin() string {
	s := d.CertificateSHA256()
	return hex.EncodeToString(s[:])
}

// TLSConfig trusts exactly the demo server's certificate.
func (d *Demo) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(d.cert)
	return &tls.Config{RootCAs: pool, ServerName: d.HostName(), MinVersion: tls.VersionTLS12}
}

// Stack is the embedded stack (tests and tools drive its call model).
func (d *Demo) Stack() *wazostandin.Stack { return d.stack }

// AgentNumber is the demo user's agent number (a supervisor's name for it:
// Stack().SupervisorPause(d.AgentNumber(), "…") changes the agent's state
// from elsewhere).
func (d *Demo) AgentNumber() string { return DefaultAgentNumber }

// ErrNotRegistered means RingMe found no registered softphone to call.
var ErrNotRegistered = wazostandin.ErrNotRegistered

// RingMe makes a bot call the demo user. from is a demo contact number
// ("1001" Tone Bot plays 440 Hz, "1002" Chord Bot its chord, "9000" echoes
// what the user says, "1005" stays silent) or any other number, which rings
// as an unknown caller playing 440 Hz. Empty means "1001". The user's
// softphone must be registered (ErrNotRegistered otherwise).
func (d *Demo) RingMe(from string, opts ...wazostandin.RingOption) (*wazostandin.RingingCall, error) {
	from = strings.TrimSpace(from)
	if from == "" {
		from = "1001"
	}
	name := "Unknown Caller"
	spec := wazostandin.PeerSpec{Kind: wazostandin.PeerTone, Name: name, Freqs: []float64{wazostandin.ToneBotHz}}
	if p, ok := wazostandin.DefaultExtensions()[from]; ok {
		switch p.Kind {
		case wazostandin.PeerTone, wazostandin.PeerEcho, wazostandin.PeerRecorder:
			spec = p
		default:
			return nil, fmt.Errorf("demo: %s (%s) does not place calls", from, p.Name)
		}
		name = p.Name
	}
	rc, err := d.stack.Ring(d.user.UUID, from, name, append([]wazostandin.RingOption{wazostandin.WithRingPeer(spec)}, opts...)...)
	if errors.Is(err, wazostandin.ErrNotRegistered) {
		return nil, fmt.Errorf("demo: the softphone is not registered yet, nobody to ring: %w", err)
	}
	if errors.Is(err, wazostandin.ErrDoNotDisturb) {
		return nil, dndError{err}
	}
	return rc, err
}

// dndError words RingMe's refusal while the user's server-side
// do-not-disturb is on; errors.Is still finds wazostandin.ErrDoNotDisturb.
type dndError struct{ err error }

func (e dndError) Error() string {
	return "do-not-disturb is on, so the server rings none of your devices; turn it off to be called"
}

func (e dndError) Unwrap() error { return e.err }
