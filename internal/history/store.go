package history

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout. entries holds the JSON of each entry under a key that sorts
// by start time (8 bytes of big-endian Unix nanoseconds, then the id), so
// newest-first listing is a backward cursor walk; ids maps an id to that key.
var (
	bucketEntries = []byte("entries")
	bucketIDs     = []byte("ids")
)

// DefaultMaxEntries bounds the history: the oldest entries beyond it are
// dropped as new calls are recorded. An agent taking 300 calls a day keeps
// about a month.
const DefaultMaxEntries = 10000

// Config configures a Store. The zero value is usable.
type Config struct {
	// MaxEntries bounds how many entries are kept (DefaultMaxEntries if 0).
	MaxEntries int
	// OpenTimeout is how long Open waits for another process to release the
	// file (1 s if 0). The store is single-writer: a second Parley gets
	// ErrInUse rather than hanging.
	OpenTimeout time.Duration
	// Now is the clock (time.Now if nil), for tests.
	Now func() time.Time
	// Log receives recovery and pruning notes (slog.Default() if nil).
	Log *slog.Logger
}

// Store is the call history on disk. It is safe for concurrent use.
type Store struct {
	db  *bolt.DB
	cfg Config
	// Recovered is how many in-progress entries Open found and marked
	// interrupted: calls that were going on when Parley last died.
	recovered int
}

// DefaultPath is where the history lives: history.db in Parley's directory
// under the user's configuration directory (os.UserConfigDir: ~/.config on
// Linux, %AppData% on Windows, ~/Library/Application Support on macOS).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for the call history: %w", err)
	}
	return filepath.Join(dir, "parley", "history.db"), nil
}

// Open opens (creating if needed) the history file at path, then marks every
// entry left in progress by a previous process as interrupted.
func Open(path string, cfg Config) (*Store, error) {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.OpenTimeout <= 0 {
		cfg.OpenTimeout = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the folder for the call history: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cfg.OpenTimeout})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w (%s)", ErrInUse, path)
		}
		return nil, fmt.Errorf("cannot open the call history %s: %w", path, err)
	}
	s := &Store{db: db, cfg: cfg}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		entries, err := tx.CreateBucketIfNotExists(bucketEntries)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketIDs); err != nil {
			return err
		}
		// Recovery: whatever was in progress died with the last process.
		type fix struct {
			key []byte
			e   Entry
		}
		var fixes []fix
		err = entries.ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				s.cfg.Log.Warn("unreadable call history entry skipped", "err", err)
				return nil
			}
			if e.State == StateInProgress {
				fixes = append(fixes, fix{key: append([]byte(nil), k...), e: e})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, f := range fixes {
			e := f.e
			e.State = StateEnded
			e.Outcome = OutcomeInterrupted
			if e.EndTime.IsZero() {
				e.EndTime = e.Updated
			}
			if e.Reason == "" {
				e.Reason = "Parley stopped during the call"
			}
			if err := putEntry(entries, f.key, e); err != nil {
				return err
			}
		}
		s.recovered = len(fixes)
		if len(fixes) > 0 {
			s.cfg.Log.Info("call history: calls interrupted by the last exit", "count", len(fixes))
		}
		return nil
	})
}

// Recovered is how many calls Open found in progress and marked interrupted.
func (s *Store) Recovered() int { return s.recovered }

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store uses.
func (s *Store) Path() string { return s.db.Path() }

func entryKey(start time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(start.UnixNano()))
	return append(k, id...)
}

func putEntry(b *bolt.Bucket, key []byte, e Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(key, v)
}

func (s *Store) view(fn func(entries, ids *bolt.Bucket) error) error {
	err := s.db.View(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketEntries), tx.Bucket(bucketIDs)) })
	return mapClosed(err)
}

func (s *Store) update(fn func(entries, ids *bolt.Bucket) error) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketEntries), tx.Bucket(bucketIDs)) })
	return mapClosed(err)
}

func mapClosed(err error) error {
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Record writes a new entry, or replaces the entry with the same id. A
// local call is recorded as soon as it starts, with State InProgress.
// Source defaults to SourceLocal, State to InProgress, Updated to now.
func (s *Store) Record(e Entry) error {
	if e.ID == "" {
		return fmt.Errorf("%w: no id", ErrInvalid)
	}
	if e.StartTime.IsZero() {
		return fmt.Errorf("%w: no start time", ErrInvalid)
	}
	if e.Source == "" {
		e.Source = SourceLocal
	}
	if e.State == "" {
		e.State = StateInProgress
	}
	if e.Updated.IsZero() {
		e.Updated = s.cfg.Now()
	}
	return s.update(func(entries, ids *bolt.Bucket) error {
		if old := ids.Get([]byte(e.ID)); old != nil {
			if err := entries.Delete(old); err != nil {
				return err
			}
		}
		key := entryKey(e.StartTime, e.ID)
		if err := putEntry(entries, key, e); err != nil {
			return err
		}
		if err := ids.Put([]byte(e.ID), key); err != nil {
			return err
		}
		return s.pruneLocked(entries, ids)
	})
}

// pruneLocked drops the oldest entries beyond MaxEntries.
func (s *Store) pruneLocked(entries, ids *bolt.Bucket) error {
	// Counted with a cursor: Bucket.Stats does not see this transaction's
	// own writes. Keys only, so 10000 entries cost well under a millisecond.
	c := entries.Cursor()
	n := 0
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	extra := n - s.cfg.MaxEntries
	if extra <= 0 {
		return nil
	}
	var doomed [][]byte
	for k, _ := c.First(); k != nil && len(doomed) < extra; k, _ = c.Next() {
		doomed = append(doomed, append([]byte(nil), k...))
	}
	for _, k := range doomed {
		if err := entries.Delete(k); err != nil {
			return err
		}
		if err := ids.Delete(k[8:]); err != nil {
			return err
		}
	}
	return nil
}

// Update applies change to the entry id and writes it back, stamping
// Updated. The start time (and so the entry's place in the list) cannot be
// changed here.
func (s *Store) Update(id string, change func(*Entry)) error {
	return s.update(func(entries, ids *bolt.Bucket) error {
		key := ids.Get([]byte(id))
		if key == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		var e Entry
		if err := json.Unmarshal(entries.Get(key), &e); err != nil {
			return fmt.Errorf("call history entry %q is damaged: %w", id, err)
		}
		start := e.StartTime
		change(&e)
		e.ID, e.StartTime = id, start
		e.Updated = s.cfg.Now()
		return putEntry(entries, key, e)
	})
}

// End finishes the entry id with outcome and reason at time at (now if
// zero).
func (s *Store) End(id string, outcome Outcome, reason string, at time.Time) error {
	if at.IsZero() {
		at = s.cfg.Now()
	}
	return s.Update(id, func(e *Entry) {
		e.State = StateEnded
		e.Outcome = outcome
		e.Reason = reason
		e.EndTime = at
	})
}

// Get returns the entry id.
func (s *Store) Get(id string) (Entry, error) {
	var e Entry
	err := s.view(func(entries, ids *bolt.Bucket) error {
		key := ids.Get([]byte(id))
		if key == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		return json.Unmarshal(entries.Get(key), &e)
	})
	return e, err
}

// walk calls fn on entries newest first until it returns false.
func (s *Store) walk(fn func(Entry) bool) error {
	return s.view(func(entries, _ *bolt.Bucket) error {
		c := entries.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				continue
			}
			if !fn(e) {
				return nil
			}
		}
		return nil
	})
}

// List returns up to limit entries, newest first, after skipping offset
// entries. A limit of 0 or less means no limit.
func (s *Store) List(offset, limit int) ([]Entry, error) {
	var out []Entry
	i := 0
	err := s.walk(func(e Entry) bool {
		if i++; i <= offset {
			return true
		}
		out = append(out, e)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// Search returns up to limit entries, newest first, whose number contains
// the digits of query (formatting ignored: "01 23" finds 0123456789) or
// whose name or number contains query as text, case and accents ignored.
func (s *Store) Search(query string, limit int) ([]Entry, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return s.List(0, limit)
	}
	digits := digitsOnly(q)
	useDigits := len(digits) > 0 && isDialString(q)
	text := fold(q)
	var out []Entry
	err := s.walk(func(e Entry) bool {
		match := (useDigits && strings.Contains(digitsOnly(e.Number), digits)) ||
			strings.Contains(fold(e.DisplayName), text) ||
			strings.Contains(fold(e.Number), text)
		if match {
			out = append(out, e)
		}
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// MissedSince counts missed calls not yet seen that started at or after
// since (the zero time counts them all): the badge.
func (s *Store) MissedSince(since time.Time) (int, error) {
	n := 0
	err := s.walk(func(e Entry) bool {
		if e.StartTime.Before(since) {
			return false
		}
		if e.Missed() && !e.Seen {
			n++
		}
		return true
	})
	return n, err
}

// MarkSeen marks every missed call that started at or before until as seen,
// and returns how many changed.
func (s *Store) MarkSeen(until time.Time) (int, error) {
	n := 0
	err := s.update(func(entries, _ *bolt.Bucket) error {
		c := entries.Cursor()
		type change struct {
			k []byte
			e Entry
		}
		var changes []change
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var e Entry
			if json.Unmarshal(v, &e) != nil {
				continue
			}
			if e.StartTime.After(until) {
				break
			}
			if e.Missed() && !e.Seen {
				e.Seen = true
				changes = append(changes, change{append([]byte(nil), k...), e})
			}
		}
		for _, ch := range changes {
			if err := putEntry(entries, ch.k, ch.e); err != nil {
				return err
			}
		}
		n = len(changes)
		return nil
	})
	return n, err
}

// Delete removes one entry.
func (s *Store) Delete(id string) error {
	return s.update(func(entries, ids *bolt.Bucket) error {
		key := ids.Get([]byte(id))
		if key == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		key = append([]byte(nil), key...)
		if err := entries.Delete(key); err != nil {
			return err
		}
		return ids.Delete([]byte(id))
	})
}

// Clear removes every entry. Calls in progress are kept, so a call going on
// while the user clears the history is still recorded when it ends.
func (s *Store) Clear() error {
	return s.update(func(entries, ids *bolt.Bucket) error {
		var doomed [][]byte
		err := entries.ForEach(func(k, v []byte) error {
			var e Entry
			if json.Unmarshal(v, &e) == nil && e.State == StateInProgress {
				return nil
			}
			doomed = append(doomed, append([]byte(nil), k...))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := entries.Delete(k); err != nil {
				return err
			}
			if err := ids.Delete(k[8:]); err != nil {
				return err
			}
		}
		return nil
	})
}
