package secrets

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func writeAccount(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "account.json")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMigrateAccountFile(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		wantAccount string
		wantMoved   bool
		password    string
	}{
		{"sip", `{"transport":"udp","server":"pbx.example.com:5060","username":"1001","password":"hunter2","display_name":"Agent","register_expiry_seconds":300}`,
			"sip:1001@pbx.example.com:5060", true, "hunter2"},
		{"wazo", `{"username":"alice","password":"p\u00e4ss \"quoted\"","wazo":{"server":"wazo.example.com","certificate_sha256":"ab12"}}`,
			"wazo:alice@wazo.example.com", true, `päss "quoted"`},
		{"no password", `{"transport":"udp","server":"pbx","username":"1001"}`, "", false, ""},
		{"empty password", `{"transport":"udp","server":"pbx","username":"1001","password":""}`, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			store := NewKeyring()
			path := writeAccount(t, tt.file, 0o600)
			account, moved, err := MigrateAccountFile(path, store)
			if err != nil {
				t.Fatal(err)
			}
			if account != tt.wantAccount || moved != tt.wantMoved {
				t.Fatalf("= %q, %v; want %q, %v", account, moved, tt.wantAccount, tt.wantMoved)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !moved {
				if string(data) != tt.file {
					t.Errorf("a file with nothing to move was rewritten:\n%s", data)
				}
				return
			}
			if got, err := store.Get(account, Password); err != nil || got != tt.password {
				t.Errorf("keyring has %q, %v; want %q", got, err, tt.password)
			}
			if strings.Contains(string(data), "password") || strings.Contains(string(data), "hunter2") || strings.Contains(string(data), "ss \\\"quoted") {
				t.Errorf("the password is still in the file:\n%s", data)
			}
			// Every other field is still there, with its value.
			var before, after map[string]any
			_ = json.Unmarshal([]byte(tt.file), &before)
			if err := json.Unmarshal(data, &after); err != nil {
				t.Fatalf("rewritten file is not JSON: %v\n%s", err, data)
			}
			delete(before, "password")
			b1, _ := json.Marshal(before)
			b2, _ := json.Marshal(after)
			if string(b1) != string(b2) {
				t.Errorf("other fields changed:\n got %s\nwant %s", b2, b1)
			}
			if runtime.GOOS != "windows" {
				if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
					t.Errorf("mode %v, want 0600", st.Mode().Perm())
				}
			}
			// Running it again finds nothing to do.
			if _, again, err := MigrateAccountFile(path, store); err != nil || again {
				t.Errorf("second run: moved=%v, %v", again, err)
			}
		})
	}
}

// failingStore accepts Set and gives back something else, like a keyring
// that silently truncates.
type failingStore struct{ *Memory }

func (f *failingStore) Get(string, Kind) (string, error) { return "truncat", nil }

// Persistent pretends it keeps secrets, so the read-back check is reached.
func (f *failingStore) Persistent() bool { return true }

func TestMigrateKeepsPasswordOnFailure(t *testing.T) {
	const file = `{"transport":"udp","server":"pbx","username":"1001","password":"hunter2"}`
	keyring.MockInitWithError(errors.New("the keyring is locked"))
	t.Cleanup(keyring.MockInit)
	for name, store := range map[string]Store{
		"store refuses":                  NewKeyring(),
		"store gives back another value": &failingStore{Memory: NewMemory()},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeAccount(t, file, 0o600)
			if _, moved, err := MigrateAccountFile(path, store); err == nil || moved || errors.Is(err, ErrNotPersistent) {
				t.Fatalf("moved=%v, err=%v; want an error", moved, err)
			}
			if data, _ := os.ReadFile(path); string(data) != file {
				t.Errorf("the file was changed although the password is not safe elsewhere:\n%s", data)
			}
		})
	}
}

func TestMigrateRefusesMemory(t *testing.T) {
	const file = `{"transport":"udp","server":"pbx","username":"1001","password":"hunter2"}`
	path := writeAccount(t, file, 0o600)
	if _, moved, err := MigrateAccountFile(path, NewMemory()); !errors.Is(err, ErrNotPersistent) || moved {
		t.Fatalf("moved=%v, %v; want ErrNotPersistent", moved, err)
	}
	if data, _ := os.ReadFile(path); string(data) != file {
		t.Errorf("file changed: %s", data)
	}
}

func TestMigrateRefuses(t *testing.T) {
	for name, file := range map[string]string{
		"no username": `{"server":"pbx","password":"x"}`,
		"no server":   `{"username":"1001","password":"x"}`,
		"not JSON":    `{"username":`,
		"non-string":  `{"username":"1001","server":"pbx","password":42}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := writeAccount(t, file, 0o600)
			keyring.MockInit()
			if _, _, err := MigrateAccountFile(path, NewKeyring()); err == nil {
				t.Fatal("no error")
			}
			if data, _ := os.ReadFile(path); string(data) != file {
				t.Errorf("file changed: %s", data)
			}
		})
	}
}
