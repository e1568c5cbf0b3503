package secrets

import (
	"fmt"
	"sync"
)

// Memory keeps secrets in this process only. It is the "ask at each start"
// choice where no keyring exists (the window asks for the password, keeps
// it here until Parley quits), and the Store double for tests of code that
// needs one.
type Memory struct {
	mu      sync.Mutex
	entries map[entryKey]string
}

type entryKey struct {
	account string
	kind    Kind
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{entries: make(map[entryKey]string)} }

// Persistent reports false: Memory forgets everything when Parley quits.
func (m *Memory) Persistent() bool { return false }

// Get implements Store.
func (m *Memory) Get(account string, kind Kind) (string, error) {
	if err := checkEntry(account, kind, nil); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.entries[entryKey{account, kind}]
	if !ok {
		return "", fmt.Errorf("%w: %s of %s", ErrNotFound, kind, account)
	}
	return v, nil
}

// Set implements Store.
func (m *Memory) Set(account string, kind Kind, secret string) error {
	if err := checkEntry(account, kind, &secret); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[entryKey{account, kind}] = secret
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(account string, kind Kind) error {
	if err := checkEntry(account, kind, nil); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, entryKey{account, kind})
	return nil
}
