package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func newTestFile(t *testing.T) (string, *File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "parley", "secrets.json")
	f, err := CreateFile(path, []byte("correct horse"), testKDF)
	if err != nil {
		t.Fatal(err)
	}
	return path, f
}

func TestFileReopens(t *testing.T) {
	path, f := newTestFile(t)
	if err := f.Set("sip:1001@pbx", Password, "hunter2-hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("wazo:alice@wazo", RefreshToken, "refresh-abc"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Get("sip:1001@pbx", Password); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get after Close: %v, want ErrUnavailable", err)
	}

	g, err := OpenFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, tt := range []struct {
		account string
		kind    Kind
		want    string
	}{{"sip:1001@pbx", Password, "hunter2-hunter2"}, {"wazo:alice@wazo", RefreshToken, "refresh-abc"}} {
		if got, err := g.Get(tt.account, tt.kind); err != nil || got != tt.want {
			t.Errorf("reopened Get(%s, %s) = %q, %v", tt.account, tt.kind, got, err)
		}
	}
}

func TestFileOnDisk(t *testing.T) {
	path, f := newTestFile(t)
	defer f.Close()
	const secret = "hunter2-hunter2"
	if err := f.Set("sip:1001@pbx", Password, secret); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{secret, "sip:1001@pbx", "password"} {
		if bytes.Contains(data, []byte(plain)) {
			t.Errorf("the file holds %q in plain text:\n%s", plain, data)
		}
	}
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	if env["format"] != "parley-secrets" || env["version"] != float64(1) || env["cipher"] != "AES-256-GCM" {
		t.Errorf("envelope = %v", env)
	}
	if kdf, _ := env["kdf"].(map[string]any); kdf["name"] != "argon2id" {
		t.Errorf("kdf = %v", env["kdf"])
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
	}
	// No temporary file is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file: %v", len(entries), entries)
	}
}

func TestFileRefuses(t *testing.T) {
	path, f := newTestFile(t)
	if err := f.Set("sip:1001@pbx", Password, "hunter2-hunter2"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// edit rewrites one field of the envelope.
	edit := func(field string, v any) []byte {
		var env map[string]any
		if err := json.Unmarshal(good, &env); err != nil {
			t.Fatal(err)
		}
		env[field] = v
		out, _ := json.Marshal(env)
		return out
	}
	var env envelope
	if err := json.Unmarshal(good, &env); err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(env.Data)
	flipped[0] ^= 1
	cheaper := env.KDF
	cheaper.Time = 2

	tests := []struct {
		name       string
		content    []byte
		passphrase string
		want       error
	}{
		{"wrong passphrase", good, "wrong horse", ErrWrongPassphrase},
		{"altered ciphertext", edit("data", flipped), "correct horse", ErrWrongPassphrase},
		// The header is authenticated: a changed cost, even one that would
		// derive a key, is caught like a changed byte.
		{"altered KDF parameters", edit("kdf", cheaper), "correct horse", ErrWrongPassphrase},
		{"newer version", edit("version", 2), "correct horse", ErrUnavailable},
		{"unknown cipher", edit("cipher", "ROT13"), "correct horse", ErrUnavailable},
		{"not a secrets file", []byte(`{"transport":"udp"}`), "correct horse", ErrUnavailable},
		{"absurd memory cost", edit("kdf", kdfParams{Name: kdfArgon2id, Time: 1, MemoryKiB: 1 << 30, Threads: 1, Salt: env.KDF.Salt}), "correct horse", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "secrets.json")
			if err := os.WriteFile(p, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if s, err := OpenFile(p, []byte(tt.passphrase)); !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("OpenFile: %v, want %v", err, tt.want)
			}
		})
	}

	if _, err := OpenFile(filepath.Join(t.TempDir(), "none.json"), []byte("correct horse")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := CreateFile(path, []byte("correct horse"), testKDF); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateFile over an existing file: %v, want fs.ErrExist", err)
	}
	if _, err := CreateFile(filepath.Join(t.TempDir(), "s.json"), []byte("short"), testKDF); !errors.Is(err, ErrInvalid) {
		t.Errorf("short passphrase: %v, want ErrInvalid", err)
	}
}

func TestFileChangePassphrase(t *testing.T) {
	path, f := newTestFile(t)
	if err := f.Set("sip:1001@pbx", Password, "hunter2-hunter2"); err != nil {
		t.Fatal(err)
	}
	if err := f.ChangePassphrase([]byte("battery staple")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := OpenFile(path, []byte("correct horse")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	g, err := OpenFile(path, []byte("battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got, err := g.Get("sip:1001@pbx", Password); err != nil || got != "hunter2-hunter2" {
		t.Errorf("after the change: %q, %v", got, err)
	}
}

func TestFileLaxModeTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	path, f := newTestFile(t)
	f.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := OpenFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode after open %v, want 0600", st.Mode().Perm())
	}
}

func TestFileDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("derives a 64 MiB Argon2id key twice")
	}
	path := filepath.Join(t.TempDir(), "secrets.json")
	f, err := CreateFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	g, err := OpenFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.kdf.Time != 3 || g.kdf.MemoryKiB != 64<<10 || g.kdf.Threads != 4 {
		t.Errorf("default cost %+v, want RFC 9106's t=3 m=64MiB p=4", g.kdf)
	}
}
