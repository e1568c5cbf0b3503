package contacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// MaxImportSize bounds an imported file. A vCard export of 10 000 contacts
// is about 3 MB; a bigger file is very likely not a contacts file (or holds
// photos, which are not kept anyway).
const MaxImportSize = 16 << 20

// Format of an imported file.
type Format string

// Formats.
const (
	FormatVCard Format = "vcard"
	FormatCSV   Format = "csv"
)

// DetectFormat says whether data is a vCard (its first line is
// BEGIN:VCARD) or otherwise a CSV file.
func DetectFormat(data []byte) Format {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) >= 11 && strings.EqualFold(string(t[:11]), "BEGIN:VCARD") {
		return FormatVCard
	}
	return FormatCSV
}

// ImportReport says what an import did.
type ImportReport struct {
	Format Format
	// Added is how many contacts were added.
	Added int
	// Duplicates is how many were already in the book (same name and same
	// numbers) and were not added again.
	Duplicates int
	// Problems lists what was left out, by line of the file.
	Problems []Problem
}

// ReadImport reads at most MaxImportSize bytes from r, refusing a larger
// file with ErrTooLarge before parsing anything.
func ReadImport(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("%w: it is over %d MB, contacts files are a few MB at most; is it the right file?", ErrTooLarge, MaxImportSize>>20)
	}
	return data, nil
}

// Parse reads contacts from a vCard or CSV file, detecting which.
func Parse(data []byte) (Format, []Contact, []Problem, error) {
	if len(data) > MaxImportSize {
		return "", nil, nil, fmt.Errorf("%w: it is over %d MB, contacts files are a few MB at most; is it the right file?", ErrTooLarge, MaxImportSize>>20)
	}
	f := DetectFormat(data)
	var (
		cs  []Contact
		ps  []Problem
		err error
	)
	if f == FormatVCard {
		cs, ps, err = ParseVCard(data)
	} else {
		if bytes.IndexByte(data, 0) >= 0 && !bytes.HasPrefix(data, []byte{0xff, 0xfe}) && !bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
			return f, nil, nil, fmt.Errorf("%w: it looks like a binary file", ErrUnknownFormat)
		}
		cs, ps, err = ParseCSV(data)
	}
	return f, cs, ps, err
}

// Import adds the contacts of a vCard or CSV file to the book, all at once:
// either every usable contact is saved or, on error, none. Contacts already
// in the book (same name, same numbers) are counted as duplicates, not
// added again, so importing the same file twice is harmless.
func (b *Book) Import(r io.Reader) (ImportReport, error) {
	data, err := ReadImport(r)
	if err != nil {
		return ImportReport{}, err
	}
	f, cards, problems, err := Parse(data)
	rep := ImportReport{Format: f, Problems: problems}
	if err != nil {
		return rep, err
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[string]bool{}
	for _, c := range b.contacts {
		seen[b.dedupeKey(c)] = true
	}
	now := b.cfg.Now()
	var added []Contact
	for _, c := range cards {
		c, why := cleanImported(c)
		if why != "" {
			rep.Problems = append(rep.Problems, Problem{Reason: why})
			continue
		}
		k := b.dedupeKey(c)
		if seen[k] {
			rep.Duplicates++
			continue
		}
		seen[k] = true
		c.ID = uuid.NewString()
		c.Created, c.Updated = now, now
		added = append(added, c)
	}
	if len(added) == 0 {
		if rep.Duplicates > 0 {
			return rep, nil
		}
		return rep, fmt.Errorf("%w%s", ErrNoContacts, firstProblem(rep.Problems))
	}
	old := b.contacts
	b.contacts = append(slices.Clone(b.contacts), added...)
	b.sortLocked()
	if err := b.saveLocked(); err != nil {
		b.contacts = old
		b.sortLocked()
		return rep, err
	}
	rep.Added = len(added)
	return rep, nil
}

// cleanImported drops the numbers of an imported contact that cannot be
// dialled, rather than the whole contact.
func cleanImported(c Contact) (Contact, string) {
	var bad []string
	keep := c.Numbers[:0:0]
	for _, n := range c.Numbers {
		if _, err := clean(Contact{Name: "x", Numbers: []Number{n}}); err != nil {
			bad = append(bad, n.Value)
			continue
		}
		keep = append(keep, n)
	}
	c.Numbers = keep
	if c.SIP != "" {
		if _, err := clean(Contact{Name: "x", SIP: c.SIP}); err != nil {
			bad = append(bad, c.SIP)
			c.SIP = ""
		}
	}
	if len(c.Numbers) == 0 && c.SIP == "" {
		return c, fmt.Sprintf("%q: %q cannot be dialled: left out", clip(c.Name), clip(strings.Join(bad, ", ")))
	}
	out, err := clean(c)
	if err != nil {
		var why string
		switch {
		case errors.Is(err, ErrNoName):
			why = "a contact with no name: left out"
		default:
			why = fmt.Sprintf("%q: %v: left out", clip(c.Name), err)
		}
		return c, why
	}
	return out, ""
}

// dedupeKey identifies a contact for import: folded name and sorted
// canonical numbers.
func (b *Book) dedupeKey(c Contact) string {
	nums := make([]string, 0, len(c.Numbers)+1)
	for _, n := range c.Numbers {
		nums = append(nums, b.cfg.Dialling.Canonical(n.Value))
	}
	if c.SIP != "" {
		nums = append(nums, strings.ToLower(c.SIP))
	}
	slices.Sort(nums)
	return fold(c.Name) + "\x00" + strings.Join(slices.Compact(nums), "\x00")
}
