package contacts

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Problem is something in an imported file that was left out, with where
// it is, in words the user can act on.
type Problem struct {
	// Line is the file's line (1-based) the problem starts on, 0 when not
	// known.
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Line <= 0 {
		return p.Reason
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
}

// logicalLine is a vCard content line after unfolding (RFC 6350 §3.2,
// RFC 2426 §2.6), with the physical line it started on.
type logicalLine struct {
	text string
	line int
}

// unfold joins folded lines: a line starting with a space or a tab continues
// the previous one, minus that one character (RFC 6350 §3.2). vCard 2.1
// quoted-printable values also continue after a trailing "=" (a soft line
// break, RFC 2045 §6.7), with the next line taken whole. Lines are built
// with a Builder: a photo folded over thousands of lines must cost linear
// time, not quadratic.
func unfold(data []byte) []logicalLine {
	var (
		out     []logicalLine
		cur     strings.Builder
		curLine int  // physical line the current logical line began on, 0 if none
		qp      bool // the current logical line is quoted-printable
		soft    bool // it ended with a quoted-printable soft line break
	)
	appendPiece := func(p string) {
		soft = qp && strings.HasSuffix(p, "=")
		if soft {
			p = p[:len(p)-1]
		}
		cur.WriteString(p)
	}
	flush := func() {
		if curLine > 0 {
			out = append(out, logicalLine{text: cur.String(), line: curLine})
		}
		cur.Reset()
		curLine, qp, soft = 0, false, false
	}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		l := strings.TrimSuffix(string(raw), "\r")
		switch {
		case curLine > 0 && soft:
			appendPiece(l)
		case curLine > 0 && l != "" && (l[0] == ' ' || l[0] == '\t'):
			appendPiece(l[1:])
		default:
			flush()
			if strings.TrimSpace(l) == "" {
				continue
			}
			curLine, qp = i+1, isQP(l)
			appendPiece(l)
		}
	}
	flush()
	return out
}

// isQP reports whether a content line's parameters say quoted-printable.
func isQP(line string) bool {
	head, _, ok := cutUnquoted(line, ':')
	return ok && strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
}

// cutUnquoted is strings.Cut on the first sep outside double quotes
// (parameter values may be quoted and contain ':' or ';', RFC 6350 §3.3).
func cutUnquoted(s string, sep byte) (before, after string, found bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// splitUnquoted splits s on sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	for {
		before, after, ok := cutUnquoted(s, sep)
		out = append(out, before)
		if !ok {
			return out
		}
		s = after
	}
}

// property is one parsed content line.
type property struct {
	group, name string
	types       []string // TYPE values and vCard 2.1 bare parameters, lowercased
	params      map[string]string
	value       string // raw, still escaped
	line        int
}

func parseProperty(l logicalLine) (property, error) {
	head, value, ok := cutUnquoted(l.text, ':')
	if !ok {
		return property{}, fmt.Errorf("%q is not a vCard line (no colon)", clip(l.text))
	}
	parts := splitUnquoted(head, ';')
	p := property{name: strings.ToUpper(strings.TrimSpace(parts[0])), value: value, line: l.line, params: map[string]string{}}
	if g, n, ok := strings.Cut(p.name, "."); ok {
		p.group, p.name = g, n
	}
	if p.name == "" {
		return property{}, fmt.Errorf("%q has no property name", clip(l.text))
	}
	for _, param := range parts[1:] {
		k, v, hasValue := strings.Cut(param, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !hasValue { // vCard 2.1: TEL;CELL;VOICE:...
			switch k {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
				p.params["ENCODING"] = k
			default:
				p.types = append(p.types, strings.ToLower(k))
			}
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if k == "TYPE" {
			for _, t := range strings.Split(v, ",") {
				if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
					p.types = append(p.types, t)
				}
			}
			continue
		}
		p.params[k] = v
	}
	return p, nil
}

func clip(s string) string {
	if len(s) > 40 {
		s = s[:40]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + "…"
	}
	return s
}

// decoded returns the property's value with its transfer encoding and
// charset undone, still vCard-escaped.
func (p property) decoded() string {
	v := p.value
	if strings.EqualFold(p.params["ENCODING"], "QUOTED-PRINTABLE") {
		v = decodeQP(v)
	}
	cs := strings.ToUpper(p.params["CHARSET"])
	if cs == "ISO-8859-1" || cs == "WINDOWS-1252" || cs == "LATIN1" || !utf8.ValidString(v) {
		v = latin1(v)
	}
	return v
}

// decodeQP undoes quoted-printable (RFC 2045 §6.7), leaving malformed
// escapes as they are rather than failing the whole card.
func decodeQP(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) {
			if hi, ok1 := unhex(s[i+1]); ok1 {
				if lo, ok2 := unhex(s[i+2]); ok2 {
					b.WriteByte(hi<<4 | lo)
					i += 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// latin1 reads s as ISO-8859-1 (old vCard 2.1 and CSV exports from Windows).
func latin1(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// unescape undoes vCard text escapes (RFC 6350 §3.4): \\ \, \; \n.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitComponents splits a structured value (N, ORG, ADR) on unescaped
// semicolons and unescapes each component.
func splitComponents(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			cur.WriteByte(s[i])
			cur.WriteByte(s[i+1])
			i++
		case s[i] == ';':
			out = append(out, unescape(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, unescape(cur.String()))
}

// ParseVCard reads every card of a vCard file (2.1, 3.0 or 4.0). Cards that
// cannot be used (no name and no number, properties it cannot read) are
// left out and listed in problems; err is set only when the file is not a
// vCard at all or no card could be read.
func ParseVCard(data []byte) (cards []Contact, problems []Problem, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := unfold(data)
	var (
		in      bool
		start   int
		cur     *cardBuilder
		sawCard bool
	)
	for _, l := range lines {
		p, perr := parseProperty(l)
		if perr != nil {
			if in {
				problems = append(problems, Problem{Line: l.line, Reason: perr.Error() + ": ignored"})
			}
			continue
		}
		switch {
		case p.name == "BEGIN" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			if in {
				problems = append(problems, Problem{Line: start, Reason: "a card is not closed (END:VCARD missing) before the next one begins"})
				if c, why := cur.contact(); why == "" {
					cards = append(cards, c)
				}
			}
			in, start, sawCard = true, l.line, true
			cur = &cardBuilder{}
		case p.name == "END" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			if !in {
				problems = append(problems, Problem{Line: l.line, Reason: "END:VCARD without BEGIN:VCARD: ignored"})
				continue
			}
			in = false
			if c, why := cur.contact(); why != "" {
				problems = append(problems, Problem{Line: start, Reason: why})
			} else {
				cards = append(cards, c)
			}
		case in:
			if why := cur.add(p); why != "" {
				problems = append(problems, Problem{Line: l.line, Reason: why})
			}
		}
	}
	if in {
		problems = append(problems, Problem{Line: start, Reason: "the last card is not closed (END:VCARD missing)"})
		if c, why := cur.contact(); why == "" {
			cards = append(cards, c)
		}
	}
	if !sawCard {
		return nil, problems, fmt.Errorf("%w: it has no BEGIN:VCARD line", ErrNotVCard)
	}
	if len(cards) == 0 {
		return nil, problems, fmt.Errorf("%w: none of its cards has a name or a phone number%s", ErrNoContacts, firstProblem(problems))
	}
	return cards, problems, nil
}

func firstProblem(ps []Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return " (" + ps[0].String() + ")"
}

// cardBuilder gathers one card's properties.
type cardBuilder struct {
	c        Contact
	n        string // name built from N, used when there is no FN
	numGroup []string
	labels   map[string]string // Apple's itemN.X-ABLabel
}

func (b *cardBuilder) add(p property) string {
	switch p.name {
	case "FN":
		b.c.Name = strings.TrimSpace(unescape(p.decoded()))
	case "N":
		comp := splitComponents(p.decoded())
		for len(comp) < 5 {
			comp = append(comp, "")
		}
		// family;given;additional;prefixes;suffixes (RFC 6350 §6.2.2)
		b.n = joinNonEmpty(comp[3], comp[1], comp[2], comp[0], comp[4])
	case "TEL":
		v := strings.TrimSpace(unescape(p.decoded()))
		if strings.HasPrefix(strings.ToLower(v), "sip:") {
			if b.c.SIP == "" {
				b.c.SIP = v
			}
			return ""
		}
		if strings.HasPrefix(strings.ToLower(v), "tel:") {
			v = v[4:]
			if i := strings.IndexByte(v, ';'); i >= 0 {
				v = v[:i]
			}
		}
		if v == "" {
			return ""
		}
		if digitsOnly(v) == "" {
			return fmt.Sprintf("%q is not a phone number: left out", clip(v))
		}
		b.c.Numbers = append(b.c.Numbers, Number{Label: telLabel(p.types), Value: v})
		b.numGroup = append(b.numGroup, p.group)
	case "EMAIL":
		if v := strings.TrimSpace(unescape(p.decoded())); v != "" {
			b.c.Emails = append(b.c.Emails, v)
		}
	case "ORG":
		b.c.Company = strings.TrimSpace(splitComponents(p.decoded())[0])
	case "NOTE":
		b.c.Note = strings.TrimSpace(unescape(p.decoded()))
	case "IMPP", "X-SIP":
		v := strings.TrimSpace(unescape(p.decoded()))
		if p.name == "X-SIP" && !strings.Contains(strings.ToLower(v), "sip:") {
			v = "sip:" + v
		}
		if strings.HasPrefix(strings.ToLower(v), "sip:") && b.c.SIP == "" {
			b.c.SIP = v
		}
	case "X-ABLABEL":
		if b.labels == nil {
			b.labels = map[string]string{}
		}
		l := strings.TrimSpace(unescape(p.decoded()))
		l = strings.TrimSuffix(strings.TrimPrefix(l, "_$!<"), ">!$_")
		b.labels[p.group] = strings.ToLower(l)
	}
	return ""
}

func (b *cardBuilder) contact() (Contact, string) {
	c := b.c
	for i, g := range b.numGroup {
		if l, ok := b.labels[g]; ok && g != "" && l != "" {
			c.Numbers[i].Label = l
		}
	}
	if c.Name == "" {
		c.Name = b.n
	}
	if c.Name == "" {
		c.Name = c.Company
	}
	if c.Name == "" && len(c.Emails) > 0 {
		c.Name = c.Emails[0]
	}
	if c.Name == "" && len(c.Numbers) > 0 {
		c.Name = c.Numbers[0].Value
	}
	if c.Name == "" {
		return Contact{}, "a card with no name and no phone number: left out"
	}
	if len(c.Numbers) == 0 && c.SIP == "" {
		return Contact{}, fmt.Sprintf("%q has no phone number or SIP address: left out", clip(c.Name))
	}
	return c, ""
}

// telLabel turns TEL types into one label: cell → mobile; work, home,
// fax, pager, main kept; voice, pref and x- types dropped.
func telLabel(types []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range types {
		var l string
		switch t {
		case "cell", "mobile", "iphone":
			l = "mobile"
		case "work", "home", "fax", "pager", "main":
			l = t
		default:
			continue
		}
		if !seen[l] {
			seen[l] = true
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
