package history

import "errors"

// Sentinel errors; the store wraps them with %w and a plain-language detail.
var (
	// ErrNotFound: no entry has that id.
	ErrNotFound = errors.New("no such call in the history")
	// ErrInUse: another process holds the history file open.
	ErrInUse = errors.New("the call history is in use by another Parley")
	// ErrInvalid: the entry cannot be stored as given (no id, no start time).
	ErrInvalid = errors.New("invalid history entry")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("the call history is closed")
)
