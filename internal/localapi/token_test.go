package localapi

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/parley-voip/parley/internal/secrets"
)

func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley", "local-api-token")
	tok, err := TokenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 43 {
		t.Errorf("token %q: %d characters, want 43", tok, len(tok))
	}
	if again, err := TokenFile(path); err != nil || again != tok {
		t.Errorf("second read %q, %v; want the same token", again, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	fresh, err := ResetToken(path)
	if err != nil || fresh == tok {
		t.Errorf("reset gave %q, %v", fresh, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TokenFile(path); !errors.Is(err, ErrNoToken) {
		t.Errorf("a world-readable token file: %v, want ErrNoToken", err)
	}
}

func TestStoredToken(t *testing.T) {
	store := secrets.NewMemory()
	tok, err := StoredToken(store)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := StoredToken(store); err != nil || again != tok {
		t.Errorf("second read %q, %v; want the same", again, err)
	}
	if got, _ := store.Get(secrets.LocalAPIAccount, secrets.APIToken); got != tok {
		t.Errorf("store holds %q", got)
	}
}
