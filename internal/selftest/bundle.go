package selftest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/diaglog"
)

// Bundle is what "save diagnostics" writes. Every part is optional.
type Bundle struct {
	// Version is the one product version (internal/version).
	Version string
	// Config is the effective configuration with its secrets already
	// taken out (the cli's -show-config view).
	Config any
	// Secrets are values that must never appear in the bundle (the
	// password, tokens): every file is scrubbed of them as a last guard,
	// whatever slipped into a log line or a SIP message.
	Secrets []string
	Checks  []Result
	Logs    []string
	SIP     []string
	Calls   []CallQuality
	// Audio lists the sound devices.
	Audio audio.Host
	// Now stamps the bundle (default time.Now).
	Now time.Time
}

// redactedMark replaces every secret.
const redactedMark = "(redacted)"

// minSecret is the shortest value scrubbed: shorter ones ("1", "ab") would
// blank out ordinary text and cannot identify anyone's password anyway.
const minSecret = 3

// Write writes the bundle as a zip archive to w.
func (b Bundle) Write(w io.Writer) error {
	if b.Now.IsZero() {
		b.Now = time.Now()
	}
	files := []struct {
		name string
		body func() (string, error)
	}{
		{"README.txt", b.readme},
		{"version.txt", func() (string, error) { return b.Version + "\n", nil }},
		{"config.json", b.config},
		{"checks.txt", b.checks},
		{"log.txt", func() (string, error) { return lines(b.Logs), nil }},
		{"sip.txt", func() (string, error) { return lines(b.SIP), nil }},
		{"calls.json", b.calls},
		{"devices.txt", b.devices},
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		body, err := f.body()
		if err != nil {
			body = fmt.Sprintf("(could not be collected: %v)\n", err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: b.Now})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, b.scrub(body)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// scrub redacts credentials by shape (diaglog.RedactText), then every
// known secret by value, longest first so one that contains another goes
// whole.
func (b Bundle) scrub(s string) string {
	s = diaglog.RedactText(s)
	secrets := append([]string(nil), b.Secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		if len(sec) < minSecret {
			continue
		}
		s = strings.ReplaceAll(s, sec, redactedMark)
		// The same value as JSON, a URL or a quoted log value writes it.
		if q, err := json.Marshal(sec); err == nil {
			s = strings.ReplaceAll(s, strings.Trim(string(q), `"`), redactedMark)
		}
		s = strings.ReplaceAll(s, url.QueryEscape(sec), redactedMark)
		s = strings.ReplaceAll(s, strings.Trim(strconv.Quote(sec), `"`), redactedMark)
	}
	return s
}

func (b Bundle) readme() (string, error) {
	return "Parley diagnostics, " + b.Now.UTC().Format(time.RFC3339) + "\n\n" +
		"version.txt  the Parley version\n" +
		"config.json  the settings in use, without passwords or tokens\n" +
		"checks.txt   the last \"Check my setup\" results\n" +
		"log.txt      recent log lines\n" +
		"sip.txt      the last SIP messages (credentials and SRTP keys removed)\n" +
		"calls.json   call-quality figures of the last calls\n" +
		"devices.txt  the sound devices\n\n" +
		"Passwords, tokens, Authorization headers and SDES keys (a=crypto) are removed before writing.\n", nil
}

func (b Bundle) config() (string, error) {
	if b.Config == nil {
		return "{}\n", nil
	}
	out, err := json.MarshalIndent(b.Config, "", "  ")
	return string(out) + "\n", err
}

func (b Bundle) checks() (string, error) {
	if len(b.Checks) == 0 {
		return "\"Check my setup\" was not run before saving.\n", nil
	}
	var sb strings.Builder
	for _, r := range b.Checks {
		sb.WriteString(r.String() + "\n")
	}
	return sb.String(), nil
}

func (b Bundle) calls() (string, error) {
	calls := b.Calls
	if calls == nil {
		calls = []CallQuality{}
	}
	out, err := json.MarshalIndent(calls, "", "  ")
	return string(out) + "\n", err
}

func (b Bundle) devices() (string, error) {
	if b.Audio == nil {
		return "Sound is off (-audio off), or no sound backend works.\n", nil
	}
	var sb strings.Builder
	for _, kind := range []audio.Kind{audio.Capture, audio.Playback} {
		devs, err := b.Audio.Devices(kind)
		if err != nil {
			fmt.Fprintf(&sb, "%s: could not be listed: %s\n", kind, strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		if len(devs) == 0 {
			fmt.Fprintf(&sb, "%s: none\n", kind)
		}
		for _, d := range devs {
			def := ""
			if d.Default {
				def = " (default)"
			}
			fmt.Fprintf(&sb, "%s: %s%s [%s, id %s]\n", kind, d.Name, def, d.Backend, d.ID)
		}
	}
	return sb.String(), nil
}

func lines(ls []string) string {
	if len(ls) == 0 {
		return "(nothing recorded)\n"
	}
	return strings.Join(ls, "\n") + "\n"
}
