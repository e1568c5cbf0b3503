package cli

import (
	"context"
	"log/slog"

	"github.com/parley-voip/parley/internal/contacts"
	"github.com/parley-voip/parley/internal/history"
)

// openContacts opens the address book in the configuration directory.
func openContacts() (*contacts.Book, error) {
	path, err := contacts.DefaultPath()
	if err != nil {
		return nil, err
	}
	return contacts.Open(path, contacts.Config{})
}

// openHistory opens the call history file in the configuration directory.
func openHistory() (*history.Store, error) {
	path, err := history.DefaultPath()
	if err != nil {
		return nil, err
	}
	return history.Open(path, history.Config{})
}

// recordHistory writes every call of sess to store until the session
// closes. Calls merged into a conference are recorded as merged: the
// session's conference backend knows which dialogs it folded in.
func recordHistory(ctx context.Context, sess *session, store *history.Store, book *contacts.Book, logger *slog.Logger) {
	cfg := history.RecorderConfig{Log: logger}
	if book != nil {
		// The contact's name is kept with the call, so the history still
		// shows it after the contact is deleted.
		cfg.NameFor = func(number string) (string, bool) {
			c, _, ok := book.Lookup(number)
			return c.Name, ok
		}
	}
	if sess.conferences != nil {
		if b := sess.conferences.Backend(); b != nil {
			cfg.MergedInto = b.MergedInto
		}
	}
	ctx, stop := context.WithCancel(ctx)
	wait := history.NewRecorder(store, cfg).Start(ctx, sess.api)
	closeLine := sess.close
	// The line closes first, so calls it hangs up on the way are recorded
	// as ended, not left in progress.
	sess.close = func() {
		closeLine()
		stop()
		wait()
	}
}
