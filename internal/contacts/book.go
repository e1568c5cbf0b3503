package contacts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/parley-voip/parley/phone"
)

// fileVersion is the format of the contacts file; a file with a newer one
// is refused rather than rewritten without the fields this version does not
// know.
const fileVersion = 1

type file struct {
	Version  int       `json:"version"`
	Contacts []Contact `json:"contacts"`
}

// Config configures a Book. The zero value is usable.
type Config struct {
	// Dialling is how the user's numbers are written, for matching.
	Dialling Dialling
	// Now is the clock (time.Now if nil), for tests.
	Now func() time.Time
}

// Book is the address book, held in memory and saved to a JSON file after
// every change. It is safe for concurrent use.
type Book struct {
	path string
	cfg  Config

	mu       sync.RWMutex
	contacts []Contact // sorted by folded name
	// index holds, for each contact, the forms search and lookup compare,
	// computed once per change rather than on every keystroke.
	index []indexed
}

// indexed is a contact's searchable forms.
type indexed struct {
	name, company, sip string
	numbers            []numberForms
	sipCanon           string
}

// numberForms are one number's forms: canonical (Dialling.Canonical), its
// digits as written, the canonical digits, and the national form when the
// number is in the user's country.
type numberForms struct {
	canon, written, canonDigits, national string
}

// DefaultPath is where contacts live: contacts.json in Parley's directory
// under the user's configuration directory (os.UserConfigDir).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for contacts: %w", err)
	}
	return filepath.Join(dir, "parley", "contacts.json"), nil
}

// Open reads the contacts file at path; a missing file is an empty book.
func Open(path string, cfg Config) (*Book, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	b := &Book{path: path, cfg: cfg}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return b, nil
	case err != nil:
		return nil, fmt.Errorf("cannot read the contacts file %s: %w", path, err)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("the contacts file %s is damaged (%v); move it away to start with an empty address book", path, err)
	}
	if f.Version > fileVersion {
		return nil, fmt.Errorf("the contacts file %s was written by a newer Parley (format %d); this one reads format %d", path, f.Version, fileVersion)
	}
	b.contacts = f.Contacts
	b.sortLocked()
	return b, nil
}

// Path is the file the book is saved to.
func (b *Book) Path() string { return b.path }

// sortLocked sorts the contacts by name and rebuilds the index; every
// change ends with it.
func (b *Book) sortLocked() {
	slices.SortStableFunc(b.contacts, func(x, y Contact) int {
		if c := strings.Compare(fold(x.Name), fold(y.Name)); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	d := b.cfg.Dialling
	b.index = make([]indexed, len(b.contacts))
	for i, c := range b.contacts {
		ix := indexed{name: fold(c.Name), company: fold(c.Company), sip: strings.ToLower(c.SIP)}
		if c.SIP != "" {
			ix.sipCanon = d.Canonical(c.SIP)
		}
		for _, n := range c.Numbers {
			canon := d.Canonical(n.Value)
			f := numberForms{canon: canon, written: digitsOnly(n.Value), canonDigits: digitsOnly(canon)}
			f.national, _ = d.National(canon)
			ix.numbers = append(ix.numbers, f)
		}
		b.index[i] = ix
	}
}

// saveLocked writes the book atomically: a temporary file in the same
// folder, synced, then renamed over the old one, so a crash leaves either
// the old or the new book, never half of one.
func (b *Book) saveLocked() error {
	data, err := json.MarshalIndent(file{Version: fileVersion, Contacts: b.contacts}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(b.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the folder for contacts: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".contacts-*.json")
	if err != nil {
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	if err := os.Rename(tmp.Name(), b.path); err != nil {
		return fmt.Errorf("cannot save contacts: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// clean trims a contact and checks it can be saved.
func clean(c Contact) (Contact, error) {
	c.Name = strings.TrimSpace(c.Name)
	c.Company = strings.TrimSpace(c.Company)
	c.Note = strings.TrimSpace(c.Note)
	c.SIP = strings.TrimSpace(c.SIP)
	if c.Name == "" {
		return c, ErrNoName
	}
	nums := c.Numbers[:0:0]
	for _, n := range c.Numbers {
		n.Value = strings.TrimSpace(n.Value)
		n.Label = strings.TrimSpace(n.Label)
		if n.Value == "" {
			continue
		}
		if _, err := phone.NormalizeNumber(n.Value); err != nil || digitsOnly(n.Value) == "" {
			return c, fmt.Errorf("%w: %q", ErrInvalidNumber, n.Value)
		}
		nums = append(nums, n)
	}
	c.Numbers = nums
	if c.SIP != "" {
		if !strings.HasPrefix(strings.ToLower(c.SIP), "sip:") && !strings.HasPrefix(strings.ToLower(c.SIP), "sips:") {
			c.SIP = "sip:" + c.SIP
		}
		if _, err := phone.NormalizeNumber(c.SIP); err != nil {
			return c, fmt.Errorf("the SIP address %q cannot be used: %w", c.SIP, err)
		}
	}
	var emails []string
	for _, e := range c.Emails {
		if e = strings.TrimSpace(e); e != "" {
			emails = append(emails, e)
		}
	}
	c.Emails = emails
	return c, nil
}

// Add saves a new contact and returns it with its ID.
func (b *Book) Add(c Contact) (Contact, error) {
	c, err := clean(c)
	if err != nil {
		return Contact{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.cfg.Now()
	c.ID = uuid.NewString()
	c.Created, c.Updated = now, now
	b.contacts = append(b.contacts, c)
	b.sortLocked()
	if err := b.saveLocked(); err != nil {
		b.contacts = slices.DeleteFunc(b.contacts, func(x Contact) bool { return x.ID == c.ID })
		b.sortLocked()
		return Contact{}, err
	}
	return c, nil
}

// Update replaces the contact with c's ID.
func (b *Book) Update(c Contact) (Contact, error) {
	c, err := clean(c)
	if err != nil {
		return Contact{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(c.ID)
	if i < 0 {
		return Contact{}, fmt.Errorf("%w: %q", ErrNotFound, c.ID)
	}
	old := slices.Clone(b.contacts)
	c.Created = b.contacts[i].Created
	c.Updated = b.cfg.Now()
	b.contacts[i] = c
	b.sortLocked()
	if err := b.saveLocked(); err != nil {
		b.contacts = old
		b.sortLocked()
		return Contact{}, err
	}
	return c, nil
}

// Delete removes a contact.
func (b *Book) Delete(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.indexLocked(id)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	old := slices.Clone(b.contacts)
	b.contacts = slices.Delete(b.contacts, i, i+1)
	b.sortLocked()
	if err := b.saveLocked(); err != nil {
		b.contacts = old
		b.sortLocked()
		return err
	}
	return nil
}

// Clear removes every contact.
func (b *Book) Clear() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.contacts
	b.contacts = nil
	b.sortLocked()
	if err := b.saveLocked(); err != nil {
		b.contacts = old
		b.sortLocked()
		return err
	}
	return nil
}

// Get returns one contact.
func (b *Book) Get(id string) (Contact, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if i := b.indexLocked(id); i >= 0 {
		return cloneContact(b.contacts[i]), nil
	}
	return Contact{}, fmt.Errorf("%w: %q", ErrNotFound, id)
}

// All returns every contact, sorted by name.
func (b *Book) All() []Contact {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Contact, len(b.contacts))
	for i, c := range b.contacts {
		out[i] = cloneContact(c)
	}
	return out
}

// Len is the number of contacts.
func (b *Book) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.contacts)
}

func (b *Book) indexLocked(id string) int {
	return slices.IndexFunc(b.contacts, func(c Contact) bool { return c.ID == id })
}

func cloneContact(c Contact) Contact {
	c.Numbers = slices.Clone(c.Numbers)
	c.Emails = slices.Clone(c.Emails)
	return c
}
