// Package dialurl turns the URL a desktop hands Parley when the user clicks a
// tel:, sip:, sips: or callto: link (the .desktop file's %u, the Windows URL
// protocol's "%1", a macOS Apple Event) into a dial target.
//
// The URL comes from a web page or a CRM, so it is untrusted input: it is
// decoded once, stripped of what is not part of the number, and then checked
// by phone.NormalizeNumber like anything an agent types.
package dialurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/parley-voip/parley/phone"
)

// ErrNotDialURL is returned for an argument that is not a tel:, sip:, sips:
// or callto: URL at all.
var ErrNotDialURL = errors.New("not a tel:, sip:, sips: or callto: URL")

// ErrBadDialURL is returned for a URL of a dialable scheme that holds no
// usable number.
var ErrBadDialURL = errors.New("cannot dial this link")

// Schemes are the URL schemes Parley registers with the desktop. The
// packages (desktop file, MSI, NSIS, Info.plist) list the same four.
var Schemes = []string{"tel", "sip", "sips", "callto"}

// IsDialURL reports whether arg starts with one of Schemes and a colon, so
// the command line can tell a link from a stray argument.
func IsDialURL(arg string) bool {
	_, ok := scheme(arg)
	return ok
}

func scheme(arg string) (string, bool) {
	i := strings.IndexByte(arg, ':')
	if i <= 0 {
		return "", false
	}
	s := strings.ToLower(strings.TrimSpace(arg[:i]))
	for _, want := range Schemes {
		if s == want {
			return s, true
		}
	}
	return "", false
}

// Parse returns the dial target for a link: a normalised phone number or
// extension for tel: and callto:, a sip:/sips: URI for those schemes.
func Parse(link string) (string, error) {
	link = strings.TrimSpace(link)
	s, ok := scheme(link)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotDialURL, shorten(link))
	}
	rest := link[len(s)+1:]
	// Browsers and Windows hand some links over as "scheme://target" or with
	// a trailing slash; neither is part of the number.
	rest = strings.TrimPrefix(rest, "//")
	rest = strings.TrimSuffix(rest, "/")
	// Percent-decoding once, for all schemes: "tel:%2B33%201..." is common
	// in CRMs. A SIP URI's own escapes are rare in dial links, and the
	// decoded form is what NormalizeNumber checks for control characters.
	dec, err := url.PathUnescape(rest)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not properly escaped", ErrBadDialURL, shorten(link))
	}
	var target string
	switch s {
	case "tel", "callto":
		// tel: parameters (;ext=, ;phone-context=, RFC 3966) and callto's
		// query strings ("?call", Skype's "+33...?call") are not digits. An
		// ;ext= would need DTMF after the answer, which a link cannot
		// script: the main number is dialled.
		target = cut(dec, ";?")
	case "sip", "sips":
		// Headers after '?' (RFC 3261 §19.1.1) could set Subject, Replaces
		// or other fields from a web page: never pass them on.
		target = s + ":" + cut(dec, "?")
	}
	if strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(target, "sips:"), "sip:")) == "" {
		return "", fmt.Errorf("%w: %q has no number", ErrBadDialURL, shorten(link))
	}
	n, err := phone.NormalizeNumber(target)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadDialURL, err)
	}
	return n, nil
}

func cut(s, seps string) string {
	if i := strings.IndexAny(s, seps); i >= 0 {
		return s[:i]
	}
	return s
}

// shorten keeps error messages readable when a page passes a whole
// paragraph as a link.
func shorten(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
