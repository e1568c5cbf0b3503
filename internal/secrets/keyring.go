package secrets

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// DefaultService is the service name Parley's entries carry in the OS
// keyring ("service" attribute of the Secret Service, the keychain item's
// service, the prefix of the Windows credential's target).
const DefaultService = "Parley"

// Keyring is the Store of the OS keyring, through
// github.com/zalando/go-keyring: Credential Manager on Windows, the login
// keychain (via /usr/bin/security) on macOS, the Secret Service's default
// collection on Linux and the BSDs.
//
// Each secret is one keyring entry: service DefaultService (or
// WithService's), user "<kind>:<account id>", e.g.
// "password:sip:1001@pbx.example.com". A user can see and remove them with
// the OS's own tool (Seahorse, Keychain Access, Credential Manager).
type Keyring struct {
	service string
}

// KeyringOption configures NewKeyring.
type KeyringOption func(*Keyring)

// WithService names the keyring service; tests use their own so they never
// meet the user's entries.
func WithService(name string) KeyringOption { return func(k *Keyring) { k.service = name } }

// NewKeyring returns the OS keyring store. It does not check that a keyring
// service runs; call Detect first and offer File or Memory when it does not.
func NewKeyring(opts ...KeyringOption) *Keyring {
	k := &Keyring{service: DefaultService}
	for _, o := range opts {
		o(k)
	}
	return k
}

func (k *Keyring) user(account string, kind Kind) string { return string(kind) + ":" + account }

// Get implements Store.
func (k *Keyring) Get(account string, kind Kind) (string, error) {
	if err := checkEntry(account, kind, nil); err != nil {
		return "", err
	}
	v, err := keyring.Get(k.service, k.user(account, kind))
	if err != nil {
		return "", k.wrap("reading", account, kind, err)
	}
	return v, nil
}

// Set implements Store.
func (k *Keyring) Set(account string, kind Kind, secret string) error {
	if err := checkEntry(account, kind, &secret); err != nil {
		return err
	}
	// Replaces an existing entry in place (go-keyring's CreateItem asks the
	// Secret Service to replace; wincred and security overwrite), so a failed
	// Set never loses the old secret.
	if err := keyring.Set(k.service, k.user(account, kind), secret); err != nil {
		return k.wrap("saving", account, kind, err)
	}
	return nil
}

// Delete implements Store.
func (k *Keyring) Delete(account string, kind Kind) error {
	if err := checkEntry(account, kind, nil); err != nil {
		return err
	}
	err := keyring.Delete(k.service, k.user(account, kind))
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return k.wrap("removing", account, kind, err)
	}
	return nil
}

// wrap maps go-keyring's errors onto ours: not found stays ErrNotFound;
// anything else means the keyring service could not do it (no service on
// D-Bus, the user dismissed the unlock prompt, the keychain is locked), which
// the caller treats as ErrUnavailable and explains.
func (k *Keyring) wrap(doing, account string, kind Kind, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%w: %s of %s", ErrNotFound, kind, account)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: the keyring refused the %s of %s as too big", ErrInvalid, kind, account)
	}
	return fmt.Errorf("%w: %s the %s of %s in the system keyring failed: %w", ErrUnavailable, doing, kind, account, err)
}
