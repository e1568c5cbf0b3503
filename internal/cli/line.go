package cli

import (
	"crypto/tls"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-voip/parley/phone"
)

// lineFlags are the raw -local-port ... -no-register values.
type lineFlags struct {
	localPort, redirects, autoAnswer, autoAnswerDelay, tlsCert, tlsKey, dtmf, media string
	noRegister                                                                      bool
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// pickLine lays flags, then the environment, over the account file's line
// settings and checks them, so a typo stops Parley with a sentence instead
// of a line that silently behaves otherwise. (Not ErrUsage: Main prints
// these, while flag errors are printed by the flag package.)
func pickLine(l *LineSettings, getenv func(string) string, f lineFlags) error {
	val := func(flagVal, env string) string {
		if flagVal != "" {
			return flagVal
		}
		return getenv(env)
	}
	if v := val(f.localPort, "PARLEY_LOCAL_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("local port %q is not a number", v)
		}
		l.LocalPort = n
	}
	if l.LocalPort < 0 || l.LocalPort > 65535 {
		return fmt.Errorf("local port %d is not between 0 and 65535", l.LocalPort)
	}
	if f.noRegister {
		l.NoRegister = true
	} else if v := getenv("PARLEY_NO_REGISTER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("PARLEY_NO_REGISTER=%q is not 1/0/true/false", v)
		}
		l.NoRegister = b
	}
	if v := val(f.redirects, "PARLEY_REDIRECTS"); v != "" {
		l.Redirects = v
	}
	l.Redirects = strings.ToLower(strings.TrimSpace(l.Redirects))
	switch l.Redirects {
	case "":
		l.Redirects = "follow"
	case "follow", "report":
	default:
		return fmt.Errorf("redirects %q: use follow or report", l.Redirects)
	}
	if v := val(f.autoAnswer, "PARLEY_AUTO_ANSWER"); v != "" {
		l.AutoAnswer = v
	}
	l.AutoAnswer = strings.ToLower(strings.TrimSpace(l.AutoAnswer))
	switch l.AutoAnswer {
	case "", "off", "intercom", "always":
	default:
		return fmt.Errorf("auto-answer %q: use off, intercom or always", l.AutoAnswer)
	}
	if v := val(f.autoAnswerDelay, "PARLEY_AUTO_ANSWER_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			// A bare number is seconds, as in the account file.
			n, nerr := strconv.Atoi(v)
			if nerr != nil {
				return fmt.Errorf("auto-answer delay %q: use a duration such as 2s", v)
			}
			d = time.Duration(n) * time.Second
		}
		l.AutoAnswerDelay = d
	}
	if l.AutoAnswerDelay < 0 {
		return fmt.Errorf("auto-answer delay %s is negative", l.AutoAnswerDelay)
	}
	if v := val(f.dtmf, "PARLEY_DTMF"); v != "" {
		l.DTMF = v
	}
	l.DTMF = strings.ToLower(strings.TrimSpace(l.DTMF))
	if _, err := phone.ParseDTMFMethod(l.DTMF); err != nil {
		return err
	}
	if v := val(f.media, "PARLEY_MEDIA"); v != "" {
		l.Media = v
	}
	l.Media = strings.ToLower(strings.TrimSpace(l.Media))
	if _, err := mediaPath(l.Media); err != nil {
		return err
	}
	if v := val(f.tlsCert, "PARLEY_TLS_CERT"); v != "" {
		l.TLSCertFile = v
	}
	if v := val(f.tlsKey, "PARLEY_TLS_KEY"); v != "" {
		l.TLSKeyFile = v
	}
	if (l.TLSCertFile == "") != (l.TLSKeyFile == "") {
		return fmt.Errorf("the tls listener needs both a certificate and its key (-tls-cert and -tls-key)")
	}
	if l.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(l.TLSCertFile, l.TLSKeyFile)
		if err != nil {
			return fmt.Errorf("cannot use the tls listener certificate %s with key %s: %w", l.TLSCertFile, l.TLSKeyFile, err)
		}
		l.tlsCert = &cert
	}
	return nil
}

// lineOptions turns the line settings into phone options.
func lineOptions(l LineSettings) []phone.Option {
	var opts []phone.Option
	if l.LocalPort != 0 {
		opts = append(opts, phone.WithLocalPort(l.LocalPort))
	}
	if l.tlsCert != nil {
		opts = append(opts, phone.WithListenCertificate(*l.tlsCert))
	}
	if l.Redirects == "report" {
		opts = append(opts, phone.WithRedirects(0))
	}
	if m, err := phone.ParseDTMFMethod(l.DTMF); err == nil && m != phone.DTMFAuto {
		opts = append(opts, phone.WithDTMFMethod(m))
	}
	if m, err := mediaPath(l.Media); err == nil {
		opts = append(opts, phone.WithMediaPath(m))
	}
	if mode, err := phone.ParseAutoAnswerMode(l.AutoAnswer); err == nil && mode != phone.AutoAnswerOff {
		opts = append(opts, phone.WithAutoAnswer(mode, l.AutoAnswerDelay))
	}
	return opts
}

// mediaPath reads the media setting; unset is auto (WebRTC on ws/wss
// lines, plain RTP on udp/tcp/tls: docs/media.md), where the engine's own
// default is WebRTC.
func mediaPath(s string) (phone.MediaPath, error) {
	if s == "" {
		return phone.MediaAuto, nil
	}
	return phone.ParseMediaPath(s)
}
