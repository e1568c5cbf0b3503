// Package cli turns command-line flags, a config file and the environment
// into a running Parley: the GUI by default, headless mode on request.
package cli

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/dialurl"
	"github.com/parley-voip/parley/internal/fleet"
	"github.com/parley-voip/parley/phone"
)

// Settings is everything Parley needs to start.
type Settings struct {
	Headless bool
	Demo     bool
	Verbose  bool
	// Minimized starts the window hidden in the tray (-minimized).
	Minimized bool
	// FailUnreachable makes a plain SIP line that cannot reach its server
	// fail to start instead of retrying in the background: a sign-in the
	// user just asked for (a mistyped server) says so at once.
	FailUnreachable bool
	// LocalIP places SIP and media on one local address (-local-ip,
	// "local_ip" in the account file).
	LocalIP string
	// Codecs are the audio codecs offered and accepted, in preference order
	// (-codecs, PARLEY_CODECS, "codecs"); empty: Parley's default.
	Codecs []string
	// Integration is the local control API and the CRM screen pop
	// (docs/local-api.md).
	Integration IntegrationSettings
	// Line holds the plain SIP line's policies (docs/sip.md, "Line
	// settings").
	Line LineSettings
	// Audio is auto, null or off (see audio.go).
	Audio   string
	Account phone.Account
	// Wazo, when its Server is set, makes the account a Wazo user login
	// (Account.Username/Password are then the Wazo credentials).
	Wazo WazoSettings
	// ConfigPath is the account file that was read, or with NewAccountFile
	// the one a first start writes.
	ConfigPath string
	// Dial is the target of a tel:/sip:/sips:/callto: link given as the
	// argument (the desktop's URL handler), dialled once the line is up.
	Dial string
	// ShowVersion asks for the version only (-version).
	ShowVersion bool
	// Language is the window's language (-lang, PARLEY_LANG: en, fr or a
	// locale such as fr_FR.UTF-8); empty follows the system's.
	Language string
	// ShowConfig prints the effective settings instead of starting
	// (-show-config), so IT can see what the fleet file did.
	ShowConfig bool
	// Fleet is the machine's fleet file (docs/deploy.md); Policy is every
	// setting after merging it with the user's. The account and audio parts
	// are already applied to the fields above; the rest (auto-answer, local
	// API, update policy, devices) is for the features that follow them.
	Fleet  fleet.File
	Policy fleet.Config
	// FleetOverridden lists locked keys where the user's value was dropped.
	FleetOverridden []string
	// NewAccountFile is set on a first start the fleet file pre-fills: no
	// account file existed at ConfigPath and one should be written there.
	NewAccountFile bool
}

// LineSettings are the plain SIP line's network and call policies. Each has
// an account-file key and a flag (flag beats environment beats file).
type LineSettings struct {
	// LocalPort fixes the local SIP port (-local-port, "local_port"); 0
	// picks a free one.
	LocalPort int
	// NoRegister runs the line without REGISTER (-no-register,
	// "register": false): calls still go out through the server, and
	// peers reach us directly on LocalIP:LocalPort.
	NoRegister bool
	// Redirects is "follow" (default: up to 5 hops) or "report" (end the
	// call saying where the far end redirected it): -redirects,
	// "redirects".
	Redirects string
	// AutoAnswer is "off", "intercom" or "always" (-auto-answer,
	// "auto_answer", fleet key auto_answer); AutoAnswerDelay waits before
	// answering (-auto-answer-delay, "auto_answer_delay_seconds").
	AutoAnswer      string
	AutoAnswerDelay time.Duration
	// TLSCertFile and TLSKeyFile are the PEM certificate and key of the tls
	// listener (-tls-cert/-tls-key, "tls_certificate_file"/"tls_key_file");
	// without them a self-signed certificate is generated at start.
	TLSCertFile, TLSKeyFile string           `json:",omitempty"`
	tlsCert                 *tls.Certificate // loaded from the files by Parse
	// DTMF is how keypad digits are sent: "auto" (RFC 4733 when the far end
	// offers telephone-event, else SIP INFO), "rfc4733" or "info" (-dtmf,
	// "dtmf").
	DTMF string `json:",omitempty"`
	// Media is the media of the calls we place: "auto" (the default:
	// WebRTC on ws/wss lines, plain RTP on udp/tcp/tls), "webrtc", "rtp" or
	// "srtp" (-media, "media"). Incoming calls follow the caller's offer.
	Media string `json:",omitempty"`
	// STUN lists stun: servers for the media's ICE candidates (RFC 7064;
	// "stun" in the account file, the sign-in window's STUN field).
	STUN []string `json:",omitempty"`
	// TURN is a turn: or turns: relay for the media (RFC 7065; "turn" in
	// the account file, -turn, the sign-in window's TURN field) and TURNUser
	// its username (-turn-user). TURNPassword is never in a file: it comes
	// from the keyring or PARLEY_TURN_PASSWORD, and is never printed.
	TURN         string `json:",omitempty"`
	TURNUser     string `json:",omitempty"`
	TURNPassword string `json:"-"`
}

// WazoSettings names a Wazo Platform stack.
type WazoSettings struct {
	// Server is the stack's host[:port].
	Server string
	// CertificatePin is the hex SHA-256 of a self-signed server certificate
	// to trust (see docs/wazo.md); empty uses the system's trusted roots.
	CertificatePin string
	// RefreshToken signs in without the password (from the keyring, never
	// a file); StaySignedIn keeps it valid when Parley quits.
	RefreshToken string
	StaySignedIn bool
}

// accountFile is the on-disk form of an account (JSON).
type accountFile struct {
	Transport      string `json:"transport,omitempty"`
	Server         string `json:"server"`
	WSPath         string `json:"ws_path,omitempty"`
	Domain         string `json:"domain,omitempty"`
	Username       string `json:"username"`
	AuthUsername   string `json:"auth_username,omitempty"`
	Password       string `json:"password,omitempty"`
	DisplayName    string `json:"display_name,omitempty"`
	RegisterExpiry int    `json:"register_expiry_seconds,omitempty"`
	// The line settings (LineSettings).
	LocalIP         string `json:"local_ip,omitempty"`
	LocalPort       int    `json:"local_port,omitempty"`
	Register        *bool  `json:"register,omitempty"`
	Redirects       string `json:"redirects,omitempty"`
	AutoAnswer      string `json:"auto_answer,omitempty"`
	AutoAnswerDelay int    `json:"auto_answer_delay_seconds,omitempty"`
	TLSCertFile     string `json:"tls_certificate_file,omitempty"`
	TLSKeyFile      string `json:"tls_key_file,omitempty"`
	// STUN lists stun: URLs for the media (plain SIP accounts).
	STUN []string `json:"stun,omitempty"`
	// TURN is the media relay; its password is in the keyring, not here.
	TURN *turnFile `json:"turn,omitempty"`
	DTMF string    `json:"dtmf,omitempty"`
	// Codecs lists the audio codecs to offer, in order (-codecs).
	Codecs []string `json:"codecs,omitempty"`
	// Media: auto, webrtc, rtp or srtp (LineSettings.Media).
	Media string `json:"media,omitempty"`
	// The local control API and screen pop (IntegrationSettings).
	LocalAPI         string   `json:"local_api,omitempty"`
	LocalAPIAddress  string   `json:"local_api_address,omitempty"`
	LocalAPIOrigins  []string `json:"local_api_origins,omitempty"`
	ScreenPopURL     string   `json:"screen_pop_url,omitempty"`
	ScreenPopCommand []string `json:"screen_pop_command,omitempty"`
	ScreenPopOn      string   `json:"screen_pop_on,omitempty"`
	// Wazo makes this a Wazo account: server and pin here, the Wazo login in
	// username/password.
	Wazo *struct {
		Server         string `json:"server"`
		CertificatePin string `json:"certificate_sha256"`
	} `json:"wazo"`
}

// turnFile is the account file's "turn" object. It has no password key on
// purpose: DisallowUnknownFields rejects one, so it never sits in a file.
type turnFile struct {
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
}

// ErrUsage marks a mistake on the command line; the message says which.
var ErrUsage = errors.New("usage")

// DefaultConfigPath is where Parley looks for an account when -config is not
// given: $XDG_CONFIG_HOME/parley/account.json (or the OS equivalent).
func DefaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "parley", "account.json")
}

// Parse reads flags, then the config file, then the environment; flags win
// over the environment, which wins over the file.
func Parse(args []string, getenv func(string) string, stderr io.Writer) (Settings, error) {
	return parse(args, getenv, stderr, fleet.System)
}

// parse is Parse with the fleet file's loader injected, so tests need not
// touch /etc.
func parse(args []string, getenv func(string) string, stderr io.Writer, loadFleet func(func(string) string) (fleet.File, error)) (Settings, error) {
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s Settings
	var cfgPath, server, user, password, transport, wsPath, domain, display, wazoServer, wazoPin string
	var localPort, redirects, autoAnswer, autoAnswerDelay, tlsCert, tlsKey, dtmf, media, localAPI, codecs string
	var turnURL, turnUser string
	var noRegister bool
	fs.BoolVar(&s.Headless, "headless", false, "run without a window: JSON events on stdout, JSON commands on stdin (see docs/headless.md)")
	fs.BoolVar(&s.Demo, "demo", false, "start against the built-in demo server instead of a real account")
	fs.StringVar(&s.Audio, "audio", "", "sound: auto (the system's devices, silence if none), null (always silent), off (no audio at all)")
	fs.BoolVar(&s.Minimized, "minimized", false, "start in the tray, without showing the window (what starting at login uses)")
	fs.BoolVar(&s.Verbose, "v", false, "log SIP and media details to stderr")
	fs.StringVar(&cfgPath, "config", "", "account file (JSON); default "+DefaultConfigPath())
	fs.StringVar(&server, "server", "", "SIP server host[:port] (env PARLEY_SERVER)")
	fs.StringVar(&user, "user", "", "SIP username (env PARLEY_USER)")
	fs.StringVar(&password, "password", "", "SIP password (env PARLEY_PASSWORD; prefer the environment or the file, flags are visible to other users)")
	fs.StringVar(&transport, "transport", "", "udp, tcp, tls, ws or wss (env PARLEY_TRANSPORT; default udp)")
	fs.StringVar(&wsPath, "ws-path", "", "WebSocket path for ws/wss (env PARLEY_WS_PATH)")
	fs.StringVar(&domain, "domain", "", "SIP domain if not the server's host (env PARLEY_DOMAIN)")
	fs.StringVar(&display, "name", "", "your display name (env PARLEY_DISPLAY_NAME)")
	fs.StringVar(&wazoServer, "wazo", "", "Wazo Platform host[:port]: sign in with -user/-password as a Wazo user (env PARLEY_WAZO_SERVER)")
	fs.StringVar(&wazoPin, "wazo-pin", "", "SHA-256 of the Wazo server's self-signed certificate, to trust it (env PARLEY_WAZO_PIN)")
	fs.BoolVar(&s.ShowVersion, "version", false, "print the version and exit")
	fs.StringVar(&s.Language, "lang", "", "language of the window: en or fr (env PARLEY_LANG; default the system's, from LC_ALL, LC_MESSAGES or LANG)")
	fs.BoolVar(&s.ShowConfig, "show-config", false, "print the settings Parley would use (fleet file merged, password hidden) and exit")
	fs.StringVar(&s.LocalIP, "local-ip", "", "place SIP and media (SDP, ICE candidates) on this local address (env PARLEY_LOCAL_IP)")
	fs.StringVar(&localPort, "local-port", "", "fixed local SIP port, UDP socket or tcp/tls listener (env PARLEY_LOCAL_PORT; default any free port)")
	fs.BoolVar(&noRegister, "no-register", false, "do not register: place calls through the server and take direct calls on -local-ip/-local-port (env PARLEY_NO_REGISTER=1)")
	fs.StringVar(&redirects, "redirects", "", "follow (default) or report: what to do when a call is redirected (3xx) (env PARLEY_REDIRECTS)")
	fs.StringVar(&autoAnswer, "auto-answer", "", "off (default), intercom (calls marked for it) or always: answer incoming calls without the user (env PARLEY_AUTO_ANSWER)")
	fs.StringVar(&localAPI, "local-api", "", "on: let programs on this computer control the phone (docs/local-api.md); off (default) (env PARLEY_LOCAL_API)")
	fs.StringVar(&codecs, "codecs", "", "audio codecs to offer, in order, e.g. opus,g722,pcmu (env PARLEY_CODECS; default opus,pcmu,pcma)")
	fs.StringVar(&dtmf, "dtmf", "", "how keypad digits are sent: auto (default), rfc4733 or info (env PARLEY_DTMF)")
	fs.StringVar(&media, "media", "", "media of the calls you place: auto (default: webrtc on ws/wss, plain RTP on udp/tcp/tls), webrtc, rtp or srtp (env PARLEY_MEDIA)")
	fs.StringVar(&autoAnswerDelay, "auto-answer-delay", "", "wait this long before auto-answering, e.g. 2s (env PARLEY_AUTO_ANSWER_DELAY)")
	fs.StringVar(&tlsCert, "tls-cert", "", "PEM certificate of the tls listener (env PARLEY_TLS_CERT; default: self-signed, made at start)")
	fs.StringVar(&tlsKey, "tls-key", "", "PEM private key for -tls-cert (env PARLEY_TLS_KEY)")
	fs.StringVar(&turnURL, "turn", "", "TURN relay for the media, e.g. turn:host:3478 (env PARLEY_TURN; password in env PARLEY_TURN_PASSWORD or the keyring)")
	fs.StringVar(&turnUser, "turn-user", "", "TURN username (env PARLEY_TURN_USER)")
	if err := fs.Parse(args); err != nil {
		return s, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if s.Language == "" {
		s.Language = getenv("PARLEY_LANG")
	}
	// One positional argument is allowed: the link the desktop hands over
	// when the user clicks tel:, sip:, sips: or callto:.
	switch {
	case fs.NArg() > 1:
		return s, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(1))
	case fs.NArg() == 1:
		if !dialurl.IsDialURL(fs.Arg(0)) {
			return s, fmt.Errorf("%w: unexpected argument %q (a link to dial must start with tel:, sip:, sips: or callto:)", ErrUsage, fs.Arg(0))
		}
		target, err := dialurl.Parse(fs.Arg(0))
		if err != nil {
			return s, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		s.Dial = target
	}
	if s.ShowVersion {
		return s, nil
	}

	explicitConfig := cfgPath != ""
	if cfgPath == "" {
		cfgPath = getenv("PARLEY_CONFIG")
		explicitConfig = cfgPath != ""
	}
	if cfgPath == "" {
		cfgPath = DefaultConfigPath()
	}
	if cfgPath != "" {
		f, err := decodeAccountFile(cfgPath)
		switch {
		case err == nil:
			acct, wz, line, localIP := f.settings()
			s.Account = acct
			s.Wazo = wz
			s.Line = line
			s.Integration = f.integration()
			s.Codecs = f.Codecs
			if !flagSet(fs, "local-ip") {
				s.LocalIP = localIP
			}
			s.ConfigPath = cfgPath
		case errors.Is(err, os.ErrNotExist) && !explicitConfig:
			// no file is fine: flags or env may carry the account, and the
			// fleet file may pre-fill one (below)
			s.NewAccountFile = true
			s.ConfigPath = cfgPath
		default:
			return s, err
		}
	}
	pick := func(dst *string, flagVal, env string) {
		if flagVal != "" {
			*dst = flagVal
		} else if v := getenv(env); v != "" {
			*dst = v
		}
	}
	pick(&s.Account.Server, server, "PARLEY_SERVER")
	pick(&s.Account.Username, user, "PARLEY_USER")
	pick(&s.Account.Password, password, "PARLEY_PASSWORD")
	pick(&s.Account.Transport, transport, "PARLEY_TRANSPORT")
	pick(&s.Account.WSPath, wsPath, "PARLEY_WS_PATH")
	pick(&s.Account.Domain, domain, "PARLEY_DOMAIN")
	pick(&s.Account.DisplayName, display, "PARLEY_DISPLAY_NAME")
	pick(&s.Line.TURN, turnURL, "PARLEY_TURN")
	pick(&s.Line.TURNUser, turnUser, "PARLEY_TURN_USER")
	pick(&s.Line.TURNPassword, "", "PARLEY_TURN_PASSWORD")
	if s.Line.TURN != "" && !strings.HasPrefix(s.Line.TURN, "turn:") && !strings.HasPrefix(s.Line.TURN, "turns:") {
		return s, fmt.Errorf("%w: -turn %q is not a turn: or turns: URL (RFC 7065), e.g. turn:host:3478", ErrUsage, s.Line.TURN)
	}
	if !flagSet(fs, "local-ip") {
		pick(&s.LocalIP, "", "PARLEY_LOCAL_IP")
	}
	if err := pickIntegration(&s.Integration, localAPI, getenv); err != nil {
		return s, err
	}
	picked, err := pickCodecs(s.Codecs, codecs, getenv)
	if err != nil {
		return s, err
	}
	s.Codecs = picked
	if err := pickLine(&s.Line, getenv, lineFlags{localPort, redirects, autoAnswer, autoAnswerDelay, tlsCert, tlsKey, dtmf, media, noRegister}); err != nil {
		return s, err
	}
	if s.Line.NoRegister {
		s.Account.RegisterExpiry = -1
	}
	pick(&s.Wazo.Server, wazoServer, "PARLEY_WAZO_SERVER")
	pick(&s.Wazo.CertificatePin, wazoPin, "PARLEY_WAZO_PIN")
	fl, err := loadFleet(getenv)
	if err != nil {
		return s, err
	}
	applyFleet(&s, fl)
	if s.Audio == "" {
		s.Audio = audioAuto
	}
	if s.Wazo.Server == "" && s.Account.Transport == "" && s.Account.Server != "" {
		s.Account.Transport = "udp"
	}
	return s, nil
}

// applyFleet merges the fleet file under (or, where locked, over) what the
// user's file, environment and flags said.
func applyFleet(s *Settings, fl fleet.File) {
	user := fleet.Config{
		LocalAPI:       s.Integration.LocalAPI,
		AutoAnswer:     s.Line.AutoAnswer,
		CertificatePin: s.Wazo.CertificatePin,
		Transport:      s.Account.Transport,
		WSPath:         s.Account.WSPath,
		Domain:         s.Account.Domain,
		Audio:          s.Audio,
	}
	switch {
	case s.Wazo.Server != "":
		user.AccountType, user.Server = "wazo", s.Wazo.Server
	case s.Account.Server != "":
		user.AccountType, user.Server = "sip", s.Account.Server
	}
	merged, overridden := fl.Merge(user)
	s.Fleet, s.Policy, s.FleetOverridden = fl, merged, overridden
	s.Wazo.CertificatePin = merged.CertificatePin
	s.Account.Transport = merged.Transport
	s.Account.WSPath = merged.WSPath
	s.Account.Domain = merged.Domain
	s.Audio = merged.Audio
	s.Line.AutoAnswer = merged.AutoAnswer
	s.Integration.LocalAPI = merged.LocalAPI
	if merged.AccountType == "wazo" {
		s.Wazo.Server, s.Account.Server = merged.Server, ""
	} else {
		s.Wazo.Server, s.Account.Server = "", merged.Server
	}
	if fl.Server == "" {
		s.NewAccountFile = false // nothing to pre-fill
	}
}

// hasCredentials reports whether there is a login to go with the server: a
// fleet file pre-fills the server, only the agent knows the rest.
func (s Settings) hasCredentials() bool { return s.Account.Username != "" }

// HasAccount reports whether any account details were given at all.
func (s Settings) HasAccount() bool {
	return s.Wazo.Server != "" || s.Account.Server != "" || s.Account.Username != ""
}

func readAccountFile(path string) (phone.Account, WazoSettings, LineSettings, string, error) {
	f, err := decodeAccountFile(path)
	if err != nil {
		return phone.Account{}, WazoSettings{}, LineSettings{}, "", err
	}
	acct, wz, line, localIP := f.settings()
	return acct, wz, line, localIP, nil
}

// decodeAccountFile reads and strictly decodes the account file once; the
// settings of every part (line, integration, codecs) come from its result.
func decodeAccountFile(path string) (accountFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return accountFile{}, fmt.Errorf("the account file %s does not exist: %w", path, err)
		}
		return accountFile{}, fmt.Errorf("cannot read the account file %s: %w", path, err)
	}
	var f accountFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return accountFile{}, fmt.Errorf("the account file %s is not valid: %w", path, err)
	}
	return f, nil
}

// settings splits the file into the account, Wazo, line settings and
// local address.
func (f accountFile) settings() (phone.Account, WazoSettings, LineSettings, string) {
	line := LineSettings{
		LocalPort:       f.LocalPort,
		NoRegister:      f.Register != nil && !*f.Register,
		Redirects:       f.Redirects,
		AutoAnswer:      f.AutoAnswer,
		AutoAnswerDelay: time.Duration(f.AutoAnswerDelay) * time.Second,
		TLSCertFile:     f.TLSCertFile,
		TLSKeyFile:      f.TLSKeyFile,
		STUN:            f.STUN,
		DTMF:            f.DTMF,
		Media:           f.Media,
	}
	if f.TURN != nil {
		line.TURN, line.TURNUser = f.TURN.URL, f.TURN.Username
	}
	var wz WazoSettings
	if f.Wazo != nil {
		wz = WazoSettings{Server: f.Wazo.Server, CertificatePin: f.Wazo.CertificatePin}
	}
	return phone.Account{
		Transport:      f.Transport,
		Server:         f.Server,
		WSPath:         f.WSPath,
		Domain:         f.Domain,
		Username:       f.Username,
		AuthUsername:   f.AuthUsername,
		Password:       f.Password,
		DisplayName:    f.DisplayName,
		RegisterExpiry: time.Duration(f.RegisterExpiry) * time.Second,
	}, wz, line, f.LocalIP
}

// integration is the file's local API and screen pop settings.
func (f accountFile) integration() IntegrationSettings {
	return IntegrationSettings{
		LocalAPI: f.LocalAPI, LocalAPIAddress: f.LocalAPIAddress, LocalAPIOrigins: f.LocalAPIOrigins,
		ScreenPopURL: f.ScreenPopURL, ScreenPopCommand: f.ScreenPopCommand, ScreenPopOn: f.ScreenPopOn,
	}
}
