package contacts

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// column roles in a CSV header.
type role int

const (
	roleIgnore role = iota
	roleName
	roleFirst
	roleMiddle
	roleLast
	roleCompany
	roleNote
	roleEmail
	roleSIP
	rolePhone      // a phone number; label from the header
	rolePhoneValue // Google's "Phone 1 - Value"; label in "Phone 1 - Type"
	rolePhoneType  // Google's "Phone 1 - Type" / "- Label"
)

type column struct {
	role  role
	label string // phone label
	group string // "phone 1" for Google's value/type pairs
}

var googlePair = regexp.MustCompile(`^(phone \d+) - (value|type|label)$`)

// classify names what a header column holds. Headers are matched folded
// (lowercase, accents dropped), in English and French, as Google Contacts,
// Outlook and Thunderbird export them.
func classify(header string) column {
	h := strings.Join(strings.Fields(fold(strings.Trim(header, "\ufeff \t\""))), " ")
	if m := googlePair.FindStringSubmatch(h); m != nil {
		if m[2] == "value" {
			return column{role: rolePhoneValue, group: m[1]}
		}
		return column{role: rolePhoneType, group: m[1]}
	}
	switch h {
	case "name", "full name", "display name", "nom", "nom complet", "contact", "contact name", "nom d'affichage", "nom a afficher":
		return column{role: roleName}
	case "first name", "given name", "firstname", "first", "prenom":
		return column{role: roleFirst}
	case "middle name", "additional name", "deuxieme prenom":
		return column{role: roleMiddle}
	case "last name", "family name", "surname", "lastname", "last", "nom de famille":
		return column{role: roleLast}
	case "company", "organization", "organisation", "organization 1 - name", "organization name", "societe", "entreprise", "business":
		return column{role: roleCompany}
	case "notes", "note", "comments", "commentaires":
		return column{role: roleNote}
	case "sip", "sip address", "sip uri", "adresse sip":
		return column{role: roleSIP}
	}
	switch {
	case strings.Contains(h, "e-mail") || strings.Contains(h, "email") || strings.Contains(h, "courriel"):
		if strings.HasSuffix(h, "type") || strings.HasSuffix(h, "label") || strings.Contains(h, "display") {
			return column{}
		}
		return column{role: roleEmail}
	case strings.Contains(h, "phone") || strings.Contains(h, "mobile") || strings.Contains(h, "fax") ||
		strings.Contains(h, "pager") || strings.Contains(h, "telephone") || strings.HasPrefix(h, "tel") ||
		strings.Contains(h, "portable") || strings.Contains(h, "cell") || h == "number" || h == "numero":
		return column{role: rolePhone, label: phoneLabel(h)}
	}
	return column{}
}

// phoneLabel derives a number's label from a phone column header
// ("Business Phone 2" → work, "Mobile Phone" → mobile).
func phoneLabel(h string) string {
	var kind string
	switch {
	case strings.Contains(h, "mobile") || strings.Contains(h, "cell") || strings.Contains(h, "portable"):
		kind = "mobile"
	case strings.Contains(h, "pager"):
		kind = "pager"
	case strings.Contains(h, "primary") || strings.Contains(h, "main") || strings.Contains(h, "principal"):
		kind = "main" // before "company": Outlook's "Company Main Phone"
	case strings.Contains(h, "business") || strings.Contains(h, "work") || strings.Contains(h, "bureau") ||
		strings.Contains(h, "professionnel") || strings.Contains(h, "company"):
		kind = "work"
	case strings.Contains(h, "home") || strings.Contains(h, "domicile") || strings.Contains(h, "personnel"):
		kind = "home"
	}
	if strings.Contains(h, "fax") || strings.Contains(h, "telecopie") {
		return strings.TrimSpace(kind + " fax")
	}
	if kind == "" {
		return "other"
	}
	return kind
}

// decodeText turns a file's bytes into UTF-8: UTF-16 with a byte-order mark
// (Outlook's "Unicode" CSV), UTF-8 (with or without a BOM), or else
// ISO-8859-1 (older Windows exports).
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		be := data[0] == 0xfe
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if be {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
	}
	if utf8.Valid(data) {
		return string(data)
	}
	return latin1(string(data))
}

// detectSeparator picks the field separator from the header line: the most
// frequent of comma, semicolon (spreadsheets in French and German locales)
// and tab, outside quotes.
func detectSeparator(text string) rune {
	line, _, _ := strings.Cut(text, "\n")
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// ParseCSV reads a contacts CSV file whose first line is a header. It needs
// a name column (Name, or First Name / Last Name, in English or French) and
// at least one phone column (any header with phone, mobile, fax, tel...,
// or Google's "Phone 1 - Value"). Rows that cannot be used are listed in
// problems, by line.
func ParseCSV(data []byte) (cards []Contact, problems []Problem, err error) {
	text := decodeText(data)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = detectSeparator(text)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%w: the file is empty", ErrNoContacts)
		}
		return nil, nil, fmt.Errorf("%w: cannot read its header line: %v", ErrUnknownFormat, err)
	}
	cols := make([]column, len(header))
	var hasName, hasPhone bool
	for i, h := range header {
		cols[i] = classify(h)
		switch cols[i].role {
		case roleName, roleFirst, roleLast:
			hasName = true
		case rolePhone, rolePhoneValue, roleSIP:
			hasPhone = true
		}
	}
	// In French "Nom" next to "Prénom" is the family name, not the full one.
	if slices.ContainsFunc(cols, func(c column) bool { return c.role == roleFirst }) {
		for i, h := range header {
			if cols[i].role == roleName && fold(strings.TrimSpace(h)) == "nom" {
				cols[i].role = roleLast
			}
		}
	}
	if !hasName {
		return nil, nil, fmt.Errorf("%w: the first line should name the columns, with one called Name, or First Name and Last Name (found %s)", ErrNoNameColumn, listHeaders(header))
	}
	if !hasPhone {
		return nil, nil, fmt.Errorf("%w: the first line should name at least one column Phone, Mobile Phone, Business Phone... (found %s)", ErrNoPhoneColumn, listHeaders(header))
	}
	for {
		line, _ := r.FieldPos(0)
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			problems = append(problems, Problem{Line: line, Reason: "this row cannot be read: " + err.Error()})
			continue
		}
		line, _ = r.FieldPos(0)
		c, why := csvRow(cols, rec)
		if why != "" {
			problems = append(problems, Problem{Line: line, Reason: why})
			continue
		}
		if c.Name != "" {
			cards = append(cards, c)
		}
	}
	if len(cards) == 0 {
		return nil, problems, fmt.Errorf("%w: no row has both a name and a phone number%s", ErrNoContacts, firstProblem(problems))
	}
	return cards, problems, nil
}

func listHeaders(h []string) string {
	if len(h) > 6 {
		return strings.Join(h[:6], ", ") + ", …"
	}
	if len(h) == 0 || (len(h) == 1 && h[0] == "") {
		return "nothing"
	}
	return strings.Join(h, ", ")
}

// csvRow builds a contact from one row. An empty row returns a zero
// contact and no reason.
func csvRow(cols []column, rec []string) (Contact, string) {
	var c Contact
	var first, middle, last string
	types := map[string]string{}
	type pending struct{ group, value string }
	var values []pending
	empty := true
	for i, raw := range rec {
		if i >= len(cols) {
			break
		}
		v := strings.TrimSpace(raw)
		if v == "" {
			continue
		}
		empty = false
		switch col := cols[i]; col.role {
		case roleName:
			c.Name = v
		case roleFirst:
			first = v
		case roleMiddle:
			middle = v
		case roleLast:
			last = v
		case roleCompany:
			c.Company = v
		case roleNote:
			c.Note = v
		case roleEmail:
			for _, e := range strings.Split(v, ":::") {
				if e = strings.TrimSpace(e); e != "" {
					c.Emails = append(c.Emails, e)
				}
			}
		case roleSIP:
			c.SIP = v
		case rolePhone:
			for _, n := range strings.Split(v, ":::") {
				if n = strings.TrimSpace(n); n != "" {
					c.Numbers = append(c.Numbers, Number{Label: col.label, Value: n})
				}
			}
		case rolePhoneValue:
			values = append(values, pending{col.group, v})
		case rolePhoneType:
			types[col.group] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(v, "* ")))
		}
	}
	if empty {
		return Contact{}, ""
	}
	for _, p := range values {
		label := types[p.group]
		if label == "cell" {
			label = "mobile"
		}
		for _, n := range strings.Split(p.value, ":::") {
			if n = strings.TrimSpace(n); n != "" {
				c.Numbers = append(c.Numbers, Number{Label: label, Value: n})
			}
		}
	}
	if c.Name == "" {
		c.Name = joinNonEmpty(first, middle, last)
	}
	if c.Name == "" {
		c.Name = c.Company
	}
	var bad []string
	good := c.Numbers[:0:0]
	for _, n := range c.Numbers {
		if digitsOnly(n.Value) == "" {
			bad = append(bad, n.Value)
			continue
		}
		good = append(good, n)
	}
	c.Numbers = good
	switch {
	case c.Name == "" && len(c.Numbers) > 0:
		c.Name = c.Numbers[0].Value
	case c.Name == "":
		return Contact{}, "this row has no name and no phone number: left out"
	}
	if len(c.Numbers) == 0 && c.SIP == "" {
		why := fmt.Sprintf("%q has no phone number: left out", clip(c.Name))
		if len(bad) > 0 {
			why = fmt.Sprintf("%q: %q is not a phone number: left out", clip(c.Name), clip(bad[0]))
		}
		return Contact{}, why
	}
	return c, ""
}
