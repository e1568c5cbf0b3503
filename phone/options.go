package phone

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
)

// Option configures a Phone.
type Option func(*config)

type config struct {
	logger          *slog.Logger
	rejectCode      int
	rejectReason    string
	userAgent       string
	localIP         string
	localPort       int
	listenCert      *tls.Certificate
	maxRedirects    int
	autoAnswer      AutoAnswerMode
	autoAnswerDelay time.Duration
	keepAlive       time.Duration
	media           rtc.Config
	mediaOpts       []rtc.Option
	audio           AudioBackend
	serverIDHeader  string
	ownNumber       string
	qualityInterval time.Duration
	dtmfMethod      DTMFMethod
	mediaPath       MediaPath
}

func defaultConfig() config {
	return config{
		logger:          slog.New(slog.DiscardHandler),
		rejectCode:      603,
		rejectReason:    "Decline",
		userAgent:       "Parley",
		qualityInterval: 5 * time.Second,
	}
}

// WithLogger sets where the engine logs. Default: nowhere.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRejectCode sets the SIP response for Reject (default 603 Decline, as
// the Wazo SDK does; 486 Busy Here and 480 Temporarily Unavailable are the
// usual alternatives).
func WithRejectCode(code int, reason string) Option {
	return func(c *config) { c.rejectCode, c.rejectReason = code, reason }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithLocalIP binds SIP and media to one local address (tests use
// 127.0.0.1): the SIP socket and Contact/Via, and the ICE host candidates
// (WebRTC) or RTP/RTCP sockets (plain RTP) and SDP c= line of every call. It must be an address of one of the
// machine's interfaces (media is gathered from the interfaces).
func WithLocalIP(ip string) Option { return func(c *config) { c.localIP = ip } }

// WithLocalPort fixes the local SIP port (UDP socket, or tcp/tls
// listener); 0 picks a free one.
func WithLocalPort(port int) Option { return func(c *config) { c.localPort = port } }

// WithListenCertificate is the certificate a tls line's listener serves to
// peers that connect to it. Without it a self-signed certificate is made
// at Connect (peers must then be told to accept it).
func WithListenCertificate(cert tls.Certificate) Option {
	return func(c *config) { c.listenCert = &cert }
}

// WithRedirects sets how many 3xx redirects one outgoing call follows
// (default 5). 0 or less: none; the call then fails with call_failed
// naming where the far end redirected it.
func WithRedirects(max int) Option {
	return func(c *config) {
		if max <= 0 {
			max = -1
		}
		c.maxRedirects = max
	}
}

// WithAutoAnswer makes the phone answer incoming calls by itself (mode
// intercom or always) after delay; intercom calls that ask for a longer
// delay (Call-Info answer-after) get theirs.
func WithAutoAnswer(mode AutoAnswerMode, delay time.Duration) Option {
	return func(c *config) { c.autoAnswer, c.autoAnswerDelay = mode, max(delay, 0) }
}

// WithKeepAlive sets the OPTIONS keep-alive period towards the registrar
// (every transport; default 15 s, negative turns the pings off). A
// keep-alive without an answer turns the registration to failed at once
// (docs/reliability.md).
func WithKeepAlive(d time.Duration) Option { return func(c *config) { c.keepAlive = d } }

// WithMedia sets the media settings (codecs, ICE servers...). Codecs and
// PortMin/PortMax apply to classic (plain RTP) calls too; see WithMediaPath.
func WithMedia(m rtc.Config) Option { return func(c *config) { c.media = m } }

// WithMediaOptions passes options to every call's media session, e.g.
// rtc.WithSettingEngine to give ICE a custom socket.
func WithMediaOptions(opts ...rtc.Option) Option {
	return func(c *config) { c.mediaOpts = append(c.mediaOpts, opts...) }
}

// WithAudio connects calls to sound. Without it calls carry no audio: useful
// for signalling tests and for machines with no sound hardware.
func WithAudio(a AudioBackend) Option { return func(c *config) { c.audio = a } }

// WithServerCallIDHeader names a SIP header in which the server gives its own
// id for our leg of a call (Wazo: X-Wazo-Call-ID). Its value fills
// CallSession.CallID as soon as the INVITE or its answer arrives.
func WithServerCallIDHeader(name string) Option { return func(c *config) { c.serverIDHeader = name } }

// WithOwnNumber is the user's own number when it is not the SIP username
// (Wazo: the line's extension, the SIP username being a random string). It
// is the CallerNumber of outgoing calls and the DialedExtension of incoming
// ones until the server's call data says otherwise (SetServerCall).
func WithOwnNumber(n string) Option { return func(c *config) { c.ownNumber = n } }

// WithQualityInterval sets how often call_quality events are sent.
func WithQualityInterval(d time.Duration) Option { return func(c *config) { c.qualityInterval = d } }
