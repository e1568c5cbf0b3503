package gui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
)

// directoryDebounce is how long typing must pause before the company
// directory is asked: one request per pause, not one per key.
const directoryDebounce = 350 * time.Millisecond

// directoryLimit is how many directory contacts a search shows.
const directoryLimit = 5

// companyDirectory is the window's side of the Wazo company directory
// (wazo-dird through desk.Directory): searches for the number box and the
// contacts window, and the names of incoming callers (reverse lookup),
// kept for the session. Nil without a Desk (a plain SIP line): every
// method of a nil *companyDirectory does nothing.
type companyDirectory struct {
	m   *MainWindow
	dir *desk.Directory
	log *desk.CallLog

	mu    sync.Mutex
	names map[string]desk.Contact // reverse lookups by number that found someone
	asked map[string]bool         // numbers already looked up (or being)
}

func newCompanyDirectory(m *MainWindow, d *desk.Desk) *companyDirectory {
	if d == nil {
		return nil
	}
	return &companyDirectory{m: m, dir: d.Directory(), log: d.CallLog(),
		names: map[string]desk.Contact{}, asked: map[string]bool{}}
}

// kindText names where a directory contact comes from.
func kindText(k desk.ContactKind) string {
	switch k {
	case desk.KindFavourite:
		return lang.L("Favourite")
	case desk.KindPersonal:
		return lang.L("Personal")
	}
	return lang.L("Directory")
}

// directoryLine is a directory contact in one line: its source first (so
// shortening never hides it), name, company and number.
func directoryLine(c desk.Contact) string {
	parts := []string{kindText(c.Kind), c.Name}
	if c.Company != "" {
		parts = append(parts, c.Company)
	}
	if n := c.FirstNumber(); n != "" {
		parts = append(parts, n)
	}
	return strings.Join(parts, " · ")
}

// proposalRunes bounds a proposal under the number box: a button does not
// truncate its text, and a long one would widen the window.
const proposalRunes = 50

// proposalLine is a directory contact under the number box: its source,
// name and number always, its company when the line stays short enough.
func proposalLine(c desk.Contact) string {
	if line := directoryLine(c); len([]rune(line)) <= proposalRunes {
		return line
	}
	c.Company = ""
	return shortened(directoryLine(c), proposalRunes)
}

// shortened cuts text to max runes, with an ellipsis.
func shortened(text string, max int) string {
	r := []rune(text)
	if len(r) <= max {
		return text
	}
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// directoryError words a directory failure for the window; the local
// contacts are still shown.
func directoryError(err error) string {
	if errors.Is(err, desk.ErrNoAnswer) {
		return lang.L("The company directory did not answer in time; only your contacts are shown.")
	}
	return lang.L("The company directory is not available ({{.Reason}}); only your contacts are shown.",
		map[string]any{"Reason": causeText(err, desk.ErrDirectoryUnavailable)})
}

// search asks the directory for term off the Fyne thread; done gets the
// answer on the Fyne thread. The request is bounded by desk's timeout and
// ends with the window.
func (d *companyDirectory) search(term string, done func([]desk.Contact, error)) {
	if d == nil {
		return
	}
	var found []desk.Contact
	d.m.run(func(ctx context.Context) error {
		var err error
		found, err = d.dir.Search(ctx, term)
		if len(found) > directoryLimit {
			found = found[:directoryLimit]
		}
		return err
	}, func(err error) { done(found, err) })
}

// named returns the directory's contact for number, if a reverse lookup
// found one. Safe on any goroutine.
func (d *companyDirectory) named(number string) (desk.Contact, bool) {
	if d == nil || number == "" {
		return desk.Contact{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.names[number]
	return c, ok
}

// lookUpCallers starts a reverse lookup for each ringing or connected
// call's number not asked yet; the answer is shown by the next render
// (the window renders every second while a call is up). Called off the
// Fyne thread with the snapshot's calls.
func (d *companyDirectory) lookUpCallers(calls []phone.CallSession) {
	if d == nil {
		return
	}
	for _, cs := range calls {
		number := cs.Number
		if number == "" {
			continue
		}
		d.mu.Lock()
		seen := d.asked[number]
		d.asked[number] = true
		d.mu.Unlock()
		if seen {
			continue
		}
		d.m.wg.Add(1)
		go func() {
			defer d.m.wg.Done()
			c, ok, err := d.dir.Reverse(d.m.ctx, number)
			d.mu.Lock()
			defer d.mu.Unlock()
			switch {
			case err != nil:
				// The call keeps the network's name; the number is asked
				// again on its next call.
				delete(d.asked, number)
			case ok:
				d.names[number] = c
			}
		}()
	}
}

// historyLookups bounds how many numbers one opening of the history
// window asks the directory about.
const historyLookups = 20

// nameNumbers asks the directory, one after the other, for the numbers not
// asked yet (at most historyLookups), within ctx; it reports whether any
// was named. Off the Fyne thread.
func (d *companyDirectory) nameNumbers(ctx context.Context, numbers []string) (named bool) {
	if d == nil {
		return false
	}
	asked := 0
	for _, number := range numbers {
		if number == "" || asked == historyLookups || ctx.Err() != nil {
			continue
		}
		d.mu.Lock()
		seen := d.asked[number]
		d.asked[number] = true
		d.mu.Unlock()
		if seen {
			continue
		}
		asked++
		c, ok, err := d.dir.Reverse(ctx, number)
		d.mu.Lock()
		switch {
		case err != nil:
			delete(d.asked, number)
		case ok:
			d.names[number] = c
			named = true
		}
		d.mu.Unlock()
	}
	return named
}

// nameCalls fills in the names neither the network nor the local
// contacts gave (the local contacts come first: nameCalls runs before).
func (d *companyDirectory) nameCalls(calls []phone.CallSession) {
	if d == nil {
		return
	}
	for i := range calls {
		if name := calls[i].DisplayName; name != "" && name != calls[i].Number {
			continue
		}
		if c, ok := d.named(calls[i].Number); ok {
			calls[i].DisplayName = c.Name
		}
	}
}

// company is the company the directory gives number, "" when none.
func (d *companyDirectory) company(number string) string {
	c, _ := d.named(number)
	return c.Company
}
