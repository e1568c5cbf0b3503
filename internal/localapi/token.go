package localapi

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/parley-voip/parley/internal/secrets"
)

// NewToken returns a fresh random token: 32 bytes from crypto/rand,
// base64url without padding (43 characters, safe in a header and a shell).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// DefaultTokenPath is where TokenFile keeps the token unless told
// otherwise: local-api-token beside the account file.
func DefaultTokenPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "parley", "local-api-token")
}

// TokenFile returns the token kept in the file at path, creating the file
// (mode 0600, the token and a newline) with a new token on first use. This
// is the form scripts read (`$(cat ~/.config/parley/local-api-token)`); only
// the user's own programs can. A file readable by others is refused, since
// its token can no longer be trusted; delete it and Parley makes a new one.
func TokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if runtime.GOOS != "windows" {
			if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
				return "", fmt.Errorf("%w: %s can be read by other users (mode %v); delete it and Parley makes a new token", ErrNoToken, path, st.Mode().Perm())
			}
		}
		tok := strings.TrimSpace(string(data))
		if len(tok) < MinTokenLength {
			return "", fmt.Errorf("%w: %s holds no usable token (at least %d characters); delete it and Parley makes a new one", ErrNoToken, path, MinTokenLength)
		}
		return tok, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("cannot read the local API token %s: %w", path, err)
	}
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("cannot create the folder of %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return TokenFile(path) // another start made it first
	}
	if err != nil {
		return "", fmt.Errorf("cannot create the local API token %s: %w", path, err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("cannot write the local API token %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return tok, nil
}

// StoredToken returns the token kept in store (the keyring) under
// secrets.LocalAPIAccount, making and storing a new one on first use. Use it
// when integrators copy the token from the settings screen rather than read
// a file.
func StoredToken(store secrets.Store) (string, error) {
	tok, err := store.Get(secrets.LocalAPIAccount, secrets.APIToken)
	if err == nil && len(tok) >= MinTokenLength {
		return tok, nil
	}
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return "", err
	}
	if tok, err = NewToken(); err != nil {
		return "", err
	}
	if err := store.Set(secrets.LocalAPIAccount, secrets.APIToken, tok); err != nil {
		return "", err
	}
	return tok, nil
}

// ResetToken replaces the token in the file at path (the settings screen's
// "new token" button: every connected program must then use the new one).
func ResetToken(path string) (string, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cannot replace the local API token %s: %w", path, err)
	}
	return TokenFile(path)
}
