// Package secrets keeps an account's password and, on Wazo, its refresh
// token out of Parley's preference files. The OS keyring holds them when
// there is one (Windows Credential Manager, the macOS keychain, the Secret
// Service on D-Bus as GNOME Keyring and KWallet provide on Linux); where
// there is none, Detect says so in plain language and the caller offers the
// user a choice: type the password at each start (Memory: nothing is kept
// on disk) or keep it in an encrypted file unlocked by a passphrase (File).
// Nothing here ever writes a secret in plain text.
//
// docs/secrets.md is the user and IT documentation; docs/decisions has the
// record of why the file is shaped the way it is.
package secrets

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says which secret of an account an entry is.
type Kind string

// The secrets an account can have.
const (
	// Password is the SIP password of a plain SIP line, or the Wazo login
	// password of a Wazo account.
	Password Kind = "password"
	// RefreshToken is the Wazo refresh token (wazo-auth's access_type
	// offline with a client id): with it Parley signs in again after a
	// restart without asking for the password, as the Wazo SDK does.
	RefreshToken Kind = "refresh-token"
	// APIToken is the bearer token of the local control API
	// (internal/localapi); not tied to an account, see LocalAPIAccount.
	APIToken Kind = "api-token"
	// TURNPassword is the password of a plain SIP line's TURN relay
	// (RFC 8489 §9.2 long-term credential), kept beside the SIP password.
	TURNPassword Kind = "turn-password"
)

// LocalAPIAccount is the account id under which the local control API's
// token is kept.
const LocalAPIAccount = "parley:local-api"

// Store keeps secrets by account id and kind. Implementations are safe for
// concurrent use. Calls may block: on Linux the keyring can pop up an unlock
// dialog and wait for the user, so a GUI calls them off its event thread.
type Store interface {
	// Get returns the secret, or an error wrapping ErrNotFound.
	Get(account string, kind Kind) (string, error)
	// Set stores or replaces the secret.
	Set(account string, kind Kind, secret string) error
	// Delete removes the secret; deleting one that is not there is not an
	// error.
	Delete(account string, kind Kind) error
}

// Persistent is implemented by stores that can say whether what they hold
// outlives the process; a Store without it is taken as persistent.
type Persistent interface {
	Persistent() bool
}

// persistent reports whether s keeps secrets after Parley quits.
func persistent(s Store) bool {
	p, ok := s.(Persistent)
	return !ok || p.Persistent()
}

// Errors, wrapped with %w by the stores.
var (
	// ErrNotFound: no secret of that kind for that account.
	ErrNotFound = errors.New("no secret is stored for this account")
	// ErrUnavailable: the store cannot be used at all (no keyring service,
	// file unreadable). The message says why in plain language.
	ErrUnavailable = errors.New("the secret store is not available")
	// ErrWrongPassphrase: the encrypted file did not open with the
	// passphrase given (or was altered).
	ErrWrongPassphrase = errors.New("the passphrase does not open the secrets file")
	// ErrNotPersistent: the store forgets what it holds when Parley quits
	// (Memory), so moving a password into it would lose it.
	ErrNotPersistent = errors.New("this secret store keeps nothing after Parley quits")
	// ErrInvalid: an account id or secret that cannot be stored (empty,
	// control characters, too long for the keyring).
	ErrInvalid = errors.New("invalid secret entry")
)

// SIPAccount is the account id of a plain SIP line: the user at the server
// as given in the account settings ("sip:1001@pbx.example.com:5060"). Ids
// are case-sensitive, so callers build them from the settings as saved.
func SIPAccount(username, server string) string { return "sip:" + username + "@" + server }

// WazoAccount is the account id of a Wazo login ("wazo:alice@wazo.example.com").
func WazoAccount(username, server string) string { return "wazo:" + username + "@" + server }

// AccountID is the account id of the account an account file or the
// sign-in screen describes: WazoAccount when wazoServer is set (a Wazo
// login), else SIPAccount. Whoever stores and whoever reads a secret build
// the id with this, from the account's own settings (before a fleet file's
// locked values are applied, so the id does not change when IT moves the
// server).
func AccountID(username, sipServer, wazoServer string) string {
	if wazoServer != "" {
		return WazoAccount(username, wazoServer)
	}
	return SIPAccount(username, sipServer)
}

// maxSecret bounds one secret: the Windows credential store takes at most
// 2560 bytes of blob, the macOS keychain about 3000 bytes for service, user
// and password together; a refresh token is far below that.
const maxSecret = 2048

// checkEntry refuses what no store should keep.
func checkEntry(account string, kind Kind, secret *string) error {
	switch {
	case account == "":
		return fmt.Errorf("%w: the account id is empty", ErrInvalid)
	case strings.ContainsAny(account, "\x00\r\n"):
		return fmt.Errorf("%w: the account id contains a line break", ErrInvalid)
	case kind == "" || strings.ContainsAny(string(kind), "\x00\r\n:"):
		return fmt.Errorf("%w: %q is not a kind of secret", ErrInvalid, kind)
	}
	if secret != nil {
		if *secret == "" {
			return fmt.Errorf("%w: the secret is empty (use Delete to remove it)", ErrInvalid)
		}
		if len(*secret) > maxSecret {
			return fmt.Errorf("%w: the secret is %d bytes, more than the %d a keyring takes", ErrInvalid, len(*secret), maxSecret)
		}
	}
	return nil
}
