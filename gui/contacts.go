package gui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/contacts"
	"github.com/parley-voip/parley/phone"
)

// suggestionLimit is how many contacts the number box proposes.
const suggestionLimit = 5

// WithContacts gives the window the local address book: callers are named
// from it, the number box proposes contacts as you type, and Call →
// Contacts lists, edits and imports them.
func WithContacts(book *contacts.Book) Option {
	return func(c *runConfig) { c.contacts = book }
}

// nameCalls fills in the names the network did not give, from the
// contacts. Safe off the Fyne thread (the book locks itself).
func nameCalls(book *contacts.Book, calls []phone.CallSession) {
	if book == nil {
		return
	}
	for i := range calls {
		// Networks that know no name often repeat the number as one.
		if name := calls[i].DisplayName; (name != "" && name != calls[i].Number) || calls[i].Number == "" {
			continue
		}
		if c, _, ok := book.Lookup(calls[i].Number); ok {
			calls[i].DisplayName = c.Name
		}
	}
}

// suggestions proposes contacts under the number box while a name or the
// start of a number is typed.
type suggestions struct {
	book *contacts.Book
	dial func(number string)
	box  *fyne.Container
	// directory adds the company directory's contacts after the local
	// ones, asked once typing pauses (directory.go); nil without one.
	directory *companyDirectory
	// text is what the proposals answer; dirHits the directory's answer
	// to it, dirErr its failure in words; debounce the pending request.
	text     string
	dirHits  []desk.Contact
	dirErr   string
	debounce *time.Timer
}

func newSuggestions(book *contacts.Book, dial func(string)) *suggestions {
	s := &suggestions{book: book, dial: dial, box: container.NewVBox()}
	s.box.Hide()
	return s
}

// update shows the contacts matching text, the local ones at once and the
// directory's once typing pauses; Fyne thread only.
func (s *suggestions) update(text string, talking bool) {
	text = strings.TrimSpace(text)
	searching := !talking && len([]rune(text)) >= 2
	if text != s.text {
		s.text, s.dirHits, s.dirErr = text, nil, ""
		if s.debounce != nil {
			s.debounce.Stop()
			s.debounce = nil
		}
		if searching && s.directory != nil {
			m := s.directory.m
			s.debounce = time.AfterFunc(directoryDebounce, func() {
				m.onUI(func() {
					if m.closed || s.text != text {
						return
					}
					s.directory.search(text, func(found []desk.Contact, err error) {
						if s.text != text {
							return // a newer search is on its way
						}
						s.dirHits, s.dirErr = found, ""
						if err != nil {
							s.dirErr = directoryError(err)
						}
						s.render(text, m.talking != "")
					})
				})
			})
		}
	}
	s.render(text, talking)
}

// render lays out the proposals; Fyne thread only.
func (s *suggestions) render(text string, talking bool) {
	var hits []contacts.Hit
	if s.book != nil && !talking && len([]rune(text)) >= 2 {
		hits = s.book.Search(text, suggestionLimit)
	}
	s.box.Objects = s.box.Objects[:0]
	local := map[string]bool{} // numbers a local contact already proposes
	for _, h := range hits {
		// A name match names no number: propose the contact's first.
		n := h.Number
		if n.Value == "" && len(h.Contact.Numbers) > 0 {
			n = h.Contact.Numbers[0]
		}
		number := n.Value
		if number == "" {
			number = h.Contact.SIP
		}
		if number == "" {
			continue
		}
		local[number] = true
		label := h.Contact.Name + " · " + number
		if n.Label != "" {
			label = h.Contact.Name + " · " + n.Label + " " + number
		}
		b := widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() { s.dial(number) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		s.box.Add(b)
	}
	if !talking {
		for _, c := range s.dirHits {
			number := c.FirstNumber()
			if number == "" || local[number] {
				continue
			}
			b := widget.NewButtonWithIcon(proposalLine(c), theme.MediaPlayIcon(), func() { s.dial(number) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			s.box.Add(b)
		}
		if s.dirErr != "" {
			l := widget.NewLabel(s.dirErr)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.WarningImportance
			s.box.Add(l)
		}
	}
	setVisible(s.box, len(s.box.Objects) > 0)
	s.box.Refresh()
}

// contactsWindow lists the address book.
type contactsWindow struct {
	m      *MainWindow
	book   *contacts.Book
	win    fyne.Window
	search *widget.Entry
	list   *widget.List
	status *widget.Label
	shown  []contacts.Contact
	// dir is the company directory's answer to the search, listed after
	// the local contacts; dirQuery the search it answers, dirStatus its
	// failure; debounce the pending request (directory.go).
	dir       []desk.Contact
	dirQuery  string
	dirStatus *widget.Label
	debounce  *time.Timer
}

// showContacts opens the contacts window, or raises it. Fyne thread only.
func (m *MainWindow) showContacts() {
	if m.contacts == nil {
		m.setNotice(lang.L("Contacts are not available on this computer."), widget.WarningImportance)
		return
	}
	if m.contactsWin != nil {
		m.contactsWin.win.RequestFocus()
		return
	}
	w := &contactsWindow{m: m, book: m.contacts, win: m.app.NewWindow(lang.L("Parley: contacts"))}
	w.search = widget.NewEntry()
	w.search.PlaceHolder = lang.L("Search a name, a company or a number")
	w.search.OnChanged = func(string) { w.refresh() }
	w.status = widget.NewLabel("")
	w.dirStatus = widget.NewLabel("")
	w.dirStatus.Wrapping = fyne.TextWrapWord
	w.dirStatus.Importance = widget.WarningImportance
	w.dirStatus.Hide()
	w.list = widget.NewList(
		func() int { return len(w.shown) + len(w.dir) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			call := widget.NewButtonWithIcon(lang.L("Call"), theme.MediaPlayIcon(), nil)
			edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), nil)
			// A directory contact's favourite on the server (hidden for
			// local contacts).
			fav := widget.NewCheck(lang.L("Favourite"), nil)
			fav.Hide()
			return container.NewBorder(nil, nil, nil, container.NewHBox(call, edit, fav), label)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			label := row.Objects[0].(*widget.Label)
			buttons := row.Objects[1].(*fyne.Container)
			call, edit := buttons.Objects[0].(*widget.Button), buttons.Objects[1].(*widget.Button)
			fav := buttons.Objects[2].(*widget.Check)
			if i >= len(w.shown) {
				j := i - len(w.shown)
				if j >= len(w.dir) {
					return
				}
				dc := w.dir[j]
				label.SetText(directoryLine(dc))
				number := dc.FirstNumber()
				call.OnTapped = func() { m.callBack(number) }
				setEnabled(call, number != "")
				edit.Hide()         // the server's contacts are edited on the server
				fav.OnChanged = nil // SetChecked would call it
				fav.SetChecked(dc.Favorite)
				fav.OnChanged = func(on bool) { w.setFavourite(j, on) }
				if dc.EntryID == "" {
					fav.Disable()
				} else {
					fav.Enable()
				}
				fav.Show()
				return
			}
			c := w.shown[i]
			edit.Show()
			fav.Hide()
			label.SetText(contactLine(c))
			number := firstNumber(c)
			call.OnTapped = func() { m.callBack(number) }
			if number == "" {
				call.Disable()
			} else {
				call.Enable()
			}
			edit.OnTapped = func() { w.edit(c) }
		},
	)
	add := widget.NewButtonWithIcon(lang.L("Add contact"), theme.ContentAddIcon(), func() { w.edit(contacts.Contact{}) })
	imp := widget.NewButtonWithIcon(lang.L("Import…"), theme.FolderOpenIcon(), w.chooseImport)
	w.win.SetContent(container.NewBorder(container.NewVBox(w.search, w.status, w.dirStatus), container.NewGridWithColumns(2, add, imp), nil, nil, w.list))
	w.win.Resize(fyne.NewSize(480, 520))
	w.win.SetOnClosed(func() {
		m.contactsWin = nil
		if w.debounce != nil {
			w.debounce.Stop()
		}
	})
	m.contactsWin = w
	w.win.Show()
	w.win.Canvas().Focus(w.search)
	w.refresh()
}

func contactLine(c contacts.Contact) string {
	parts := []string{c.Name}
	if c.Company != "" {
		parts = append(parts, c.Company)
	}
	for _, n := range c.Numbers {
		parts = append(parts, n.Value)
	}
	if len(c.Numbers) == 0 && c.SIP != "" {
		parts = append(parts, c.SIP)
	}
	return strings.Join(parts, " · ")
}

func firstNumber(c contacts.Contact) string {
	for _, n := range c.Numbers {
		if n.Value != "" {
			return n.Value
		}
	}
	return c.SIP
}

// refresh shows the contacts matching the search; Fyne thread only.
func (w *contactsWindow) refresh() {
	q := strings.TrimSpace(w.search.Text)
	if q == "" {
		w.shown = w.book.All()
	} else {
		w.shown = w.shown[:0]
		for _, h := range w.book.Search(q, 500) {
			w.shown = append(w.shown, h.Contact)
		}
	}
	switch {
	case w.book.Len() == 0:
		w.status.SetText(lang.L("No contacts yet: add one, or import a vCard or CSV file."))
	case len(w.shown) == 0:
		w.status.SetText(lang.L("No contact matches {{.Search}}.", map[string]any{"Search": q}))
	default:
		w.status.SetText(lang.N("{{.Count}} contacts", len(w.shown), map[string]any{"Count": len(w.shown)}))
	}
	w.searchDirectory(q)
	w.list.Refresh()
}

// setFavourite adds the j-th directory contact to the favourites on the
// server, or removes it, off the Fyne thread; a failure is said in words
// and the box goes back. Fyne thread only.
func (w *contactsWindow) setFavourite(j int, on bool) {
	d := w.m.directory
	if d == nil || j >= len(w.dir) {
		return
	}
	c, q := w.dir[j], w.dirQuery
	w.m.run(func(ctx context.Context) error { return d.dir.SetFavorite(ctx, c, on) }, func(err error) {
		if w.m.contactsWin != w || w.dirQuery != q || j >= len(w.dir) {
			return
		}
		if err != nil {
			w.dirStatus.SetText(lang.L("{{.Name}} could not be changed in your favourites: {{.Reason}}.",
				map[string]any{"Name": c.Name, "Reason": errorText(err)}))
			w.dirStatus.Show()
		} else {
			w.dir[j].Favorite = on
			if w.dir[j].Kind != desk.KindPersonal {
				w.dir[j].Kind = desk.KindDirectory
				if on {
					w.dir[j].Kind = desk.KindFavourite
				}
			}
		}
		w.list.Refresh()
	})
}

// searchDirectory asks the company directory for q once typing pauses;
// its contacts follow the local ones. Fyne thread only.
func (w *contactsWindow) searchDirectory(q string) {
	d := w.m.directory
	if d == nil || q == w.dirQuery {
		return
	}
	w.dirQuery, w.dir = q, nil
	w.dirStatus.Hide()
	if w.debounce != nil {
		w.debounce.Stop()
		w.debounce = nil
	}
	if len([]rune(q)) < 2 {
		return
	}
	w.debounce = time.AfterFunc(directoryDebounce, func() {
		w.m.onUI(func() {
			if w.m.closed || w.m.contactsWin != w || w.dirQuery != q {
				return
			}
			d.search(q, func(found []desk.Contact, err error) {
				if w.m.contactsWin != w || w.dirQuery != q {
					return // closed, or a newer search is on its way
				}
				w.dir = found
				if err != nil {
					w.dirStatus.SetText(directoryError(err))
					w.dirStatus.Show()
				}
				w.list.Refresh()
			})
		})
	})
}

// edit opens the form for c (a new contact when its ID is empty).
func (w *contactsWindow) edit(c contacts.Contact) {
	name := widget.NewEntry()
	name.SetText(c.Name)
	company := widget.NewEntry()
	company.SetText(c.Company)
	numbers := widget.NewMultiLineEntry()
	numbers.SetPlaceHolder(lang.L("One per line, e.g. mobile: +33 6 12 34 56 78"))
	numbers.SetText(numbersText(c.Numbers))
	numbers.SetMinRowsVisible(3)
	sip := widget.NewEntry()
	sip.SetPlaceHolder(lang.L("sip:alice@example.com (optional)"))
	sip.SetText(c.SIP)
	note := widget.NewEntry()
	note.SetText(c.Note)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Name"), name),
		widget.NewFormItem(lang.L("Company"), company),
		widget.NewFormItem(lang.L("Numbers"), numbers),
		widget.NewFormItem(lang.L("SIP address"), sip),
		widget.NewFormItem(lang.L("Note"), note),
	}
	title := lang.L("Edit contact")
	if c.ID == "" {
		title = lang.L("Add contact")
	}
	var d dialog.Dialog
	save := func(ok bool) {
		if !ok {
			return
		}
		c.Name = strings.TrimSpace(name.Text)
		c.Company = strings.TrimSpace(company.Text)
		c.Numbers = parseNumbers(numbers.Text)
		c.SIP = strings.TrimSpace(sip.Text)
		c.Note = strings.TrimSpace(note.Text)
		var err error
		if c.ID == "" {
			_, err = w.book.Add(c)
		} else {
			_, err = w.book.Update(c)
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("%s: %w", lang.L("the contact was not saved"), err), w.win)
			return
		}
		w.refresh()
	}
	d = dialog.NewForm(title, lang.L("Save"), lang.L("Cancel"), items, save, w.win)
	if c.ID != "" {
		// Deleting sits beside the form, asked for once more.
		id := c.ID
		del := widget.NewButtonWithIcon(lang.L("Delete this contact"), theme.DeleteIcon(), func() {
			dialog.ShowConfirm(lang.L("Delete {{.Name}}?", map[string]any{"Name": c.Name}), lang.L("The contact is removed from this computer."), func(ok bool) {
				if !ok {
					return
				}
				d.Hide()
				if err := w.book.Delete(id); err != nil {
					dialog.ShowError(err, w.win)
				}
				w.refresh()
			}, w.win)
		})
		del.Importance = widget.DangerImportance
		items = append(items, widget.NewFormItem("", del))
		d = dialog.NewForm(title, lang.L("Save"), lang.L("Cancel"), items, save, w.win)
	}
	d.Resize(fyne.NewSize(440, 0))
	d.Show()
	w.win.Canvas().Focus(name)
}

// numbersText writes numbers one per line, "label: number".
func numbersText(numbers []contacts.Number) string {
	var lines []string
	for _, n := range numbers {
		if n.Label != "" {
			lines = append(lines, n.Label+": "+n.Value)
		} else {
			lines = append(lines, n.Value)
		}
	}
	return strings.Join(lines, "\n")
}

// parseNumbers reads the form's lines back: "label: number" or a number.
// A colon inside a SIP address is not a label.
func parseNumbers(text string) []contacts.Number {
	var out []contacts.Number
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n := contacts.Number{Value: line}
		if label, value, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(strings.ToLower(line), "sip:") && !strings.ContainsAny(label, "0123456789+") {
			n = contacts.Number{Label: strings.TrimSpace(label), Value: strings.TrimSpace(value)}
		}
		out = append(out, n)
	}
	return out
}

func (w *contactsWindow) chooseImport() {
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, w.win)
			return
		}
		if r == nil {
			return // cancelled
		}
		defer r.Close()
		w.importFrom(r.URI().Name(), r)
	}, w.win)
	open.SetFilter(storage.NewExtensionFileFilter([]string{".vcf", ".vcard", ".csv", ".txt"}))
	open.Show()
}

// importFrom adds the contacts of a vCard or CSV file and says what came
// of it; Fyne thread only (the book is quick; the file is at most
// contacts.MaxImportSize).
func (w *contactsWindow) importFrom(name string, r io.Reader) {
	report, err := w.book.Import(r)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s: %w", lang.L("{{.File}} could not be imported", map[string]any{"File": name}), err), w.win)
		return
	}
	w.refresh()
	dialog.ShowInformation(lang.L("Contacts imported"), importText(name, report), w.win)
}

func importText(name string, r contacts.ImportReport) string {
	text := lang.N("{{.File}}: {{.Count}} contacts added", r.Added, map[string]any{"File": name, "Count": r.Added})
	if r.Duplicates > 0 {
		text += ", " + lang.N("{{.Count}} already there", r.Duplicates, map[string]any{"Count": r.Duplicates})
	}
	text += "."
	if n := len(r.Problems); n > 0 {
		text += "\n" + lang.N("{{.Count}} entries were left out:", n, map[string]any{"Count": n})
		for i, p := range r.Problems {
			if i == 5 {
				text += "\n" + lang.L("… and {{.Count}} more.", map[string]any{"Count": n - 5})
				break
			}
			text += "\n" + p.String()
		}
	}
	return text
}
