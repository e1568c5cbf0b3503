package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-voip/parley/wazo"
)

// ErrDirectoryUnavailable wraps every failure of the company directory
// (wazo-dird): the front ends say it in words and keep the local contacts.
var ErrDirectoryUnavailable = errors.New("the company directory is not available")

// ErrNoAnswer is the cause when a server did not answer within the
// request's bound (DirectoryTimeout, CallLogTimeout).
var ErrNoAnswer = errors.New("it did not answer in time")

// DirectoryTimeout bounds one directory request: a slow wazo-dird must not
// leave a search or a ringing card waiting.
const DirectoryTimeout = 5 * time.Second

// ContactKind says where a directory contact comes from, as the window
// shows it.
type ContactKind string

// Kinds.
const (
	KindDirectory ContactKind = "directory" // the company directory (phone book, Wazo users …)
	KindFavourite ContactKind = "favourite" // one of the user's favourites, whatever its source
	KindPersonal  ContactKind = "personal"  // one of the user's personal contacts on the server
)

// Number is one of a contact's numbers with its label ("Mobile").
type Number struct {
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}

// Contact is one directory entry, in plain terms.
type Contact struct {
	Name     string      `json:"name"`
	Company  string      `json:"company,omitempty"`
	Email    string      `json:"email,omitempty"`
	Numbers  []Number    `json:"numbers,omitempty"`
	Kind     ContactKind `json:"kind"`
	Favorite bool        `json:"favorite,omitempty"`
	// Source and EntryID identify the entry for favourites ("phonebook",
	// "c1"); EntryID is "" when the source gives none.
	Source  string `json:"source"`
	EntryID string `json:"entryId,omitempty"`
}

// FirstNumber is the first number to dial, "" when there is none.
func (c Contact) FirstNumber() string {
	for _, n := range c.Numbers {
		if n.Value != "" {
			return n.Value
		}
	}
	return ""
}

// Directory is the company directory of the line's user (wazo-dird, the
// "default" profile).
type Directory struct {
	d       *Desk
	profile string
	timeout time.Duration
}

// Directory returns the directory service. It uses the tenant's
// "default" profile, the one wazo-dird creates for every tenant and the
// one the Wazo clients search (docs/wazo-protocol.md, wazo-dird).
func (d *Desk) Directory() *Directory {
	return &Directory{d: d, profile: wazo.DefaultDirectoryProfile, timeout: DirectoryTimeout}
}

func (r *Directory) wrap(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrDirectoryUnavailable, ErrNoAnswer)
	}
	return fmt.Errorf("%w: %w", ErrDirectoryUnavailable, err)
}

func (r *Directory) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.timeout)
}

func contactsOf(res wazo.DirectoryResults) []Contact {
	entries := res.Entries()
	out := make([]Contact, 0, len(entries))
	for _, e := range entries {
		c := Contact{Name: e.Name, Company: e.Company, Email: e.Email, Favorite: e.Favorite,
			Source: e.Source, EntryID: e.EntryID, Kind: KindDirectory}
		for _, n := range e.Numbers {
			c.Numbers = append(c.Numbers, Number{Label: n.Label, Value: n.Value})
		}
		switch {
		case e.Personal:
			c.Kind = KindPersonal
		case e.Favorite:
			c.Kind = KindFavourite
		}
		out = append(out, c)
	}
	return out
}

// Search looks term up in every source of the profile (favourites first,
// then the rest in the server's order). An empty term finds nothing
// without asking.
func (r *Directory) Search(ctx context.Context, term string) ([]Contact, error) {
	term = strings.TrimSpace(term)
	if term == "" {
		return nil, nil
	}
	ctx, cancel := r.bounded(ctx)
	defer cancel()
	res, err := r.d.client.DirectoryLookup(ctx, r.profile, term)
	if err != nil {
		return nil, r.wrap(err)
	}
	all := contactsOf(res)
	out := make([]Contact, 0, len(all))
	for _, c := range all {
		if c.Favorite {
			out = append(out, c)
		}
	}
	for _, c := range all {
		if !c.Favorite {
			out = append(out, c)
		}
	}
	return out, nil
}

// Reverse names number: ok is false when no entry has it. The answer's
// fields give the company when the source has one.
func (r *Directory) Reverse(ctx context.Context, number string) (c Contact, ok bool, err error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return Contact{}, false, nil
	}
	ctx, cancel := r.bounded(ctx)
	defer cancel()
	rev, err := r.d.client.DirectoryReverseLookup(ctx, r.profile, r.d.UserUUID(), number)
	if err != nil {
		return Contact{}, false, r.wrap(err)
	}
	if rev.Display == nil || strings.TrimSpace(*rev.Display) == "" {
		return Contact{}, false, nil
	}
	c = Contact{Name: strings.TrimSpace(*rev.Display), Numbers: []Number{{Value: number}}, Kind: KindDirectory}
	if rev.Source != nil {
		c.Source = *rev.Source
		if c.Source == "personal" {
			c.Kind = KindPersonal
		}
	}
	for _, k := range []string{"company", "entreprise", "organization", "organisation"} {
		if v, ok := rev.Fields[k].(string); ok && strings.TrimSpace(v) != "" {
			c.Company = strings.TrimSpace(v)
			break
		}
	}
	if v, ok := rev.Fields["id"].(string); ok {
		c.EntryID = v
	}
	return c, true, nil
}

// Favorites lists the user's favourites.
func (r *Directory) Favorites(ctx context.Context) ([]Contact, error) {
	ctx, cancel := r.bounded(ctx)
	defer cancel()
	res, err := r.d.client.DirectoryFavorites(ctx, r.profile)
	if err != nil {
		return nil, r.wrap(err)
	}
	out := contactsOf(res)
	for i := range out {
		out[i].Favorite = true
		if out[i].Kind != KindPersonal {
			out[i].Kind = KindFavourite
		}
	}
	return out, nil
}

// ErrNotFavouritable: the contact's source gives no entry id.
var ErrNotFavouritable = errors.New("this contact cannot be a favourite: its directory gives it no identifier")

// SetFavorite adds c to the favourites or removes it. Adding one already
// there, or removing one that is not, is not an error.
func (r *Directory) SetFavorite(ctx context.Context, c Contact, favourite bool) error {
	if c.Source == "" || c.EntryID == "" {
		return ErrNotFavouritable
	}
	ctx, cancel := r.bounded(ctx)
	defer cancel()
	err := r.d.client.SetDirectoryFavorite(ctx, c.Source, c.EntryID, favourite)
	// wazo-dird: 409 "Adding this favorite would create a duplicate", 404
	// "No such favorite: …" (plugins/default_json/http.py FavoritesWrite).
	var api *wazo.APIError
	if errors.As(err, &api) && ((favourite && api.Status == 409) ||
		(!favourite && api.Status == 404 && len(api.Reason) > 0 && strings.HasPrefix(api.Reason[0], "No such favorite"))) {
		return nil
	}
	return r.wrap(err)
}
