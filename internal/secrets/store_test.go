package secrets

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// testKDF keeps Argon2 cheap in tests; the default cost is covered once in
// TestFileDefaultCost.
var testKDF = WithArgon2(1, 64, 1)

// stores returns one fresh instance of every Store, by name. The keyring
// goes through go-keyring's own in-memory backend (keyring.MockInit), the
// library's test backend; internal/secrets/secretservicetest runs the same
// contract against a real Secret Service.
func stores(t *testing.T) map[string]Store {
	t.Helper()
	keyring.MockInit()
	f, err := CreateFile(filepath.Join(t.TempDir(), "secrets.json"), []byte("correct horse"), testKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return map[string]Store{
		"memory":  NewMemory(),
		"keyring": NewKeyring(WithService("parley-test")),
		"file":    f,
	}
}

func TestStoreContract(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) { contract(t, s) })
	}
}

// contract is what every Store must do.
func contract(t *testing.T, s Store) {
	t.Helper()
	sip := SIPAccount("1001", "pbx.example.com:5060")
	wazo := WazoAccount("alice", "wazo.example.com")

	if _, err := s.Get(sip, Password); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	steps := []struct {
		account string
		kind    Kind
		secret  string
	}{
		{sip, Password, "s3cret with spaces and ünïcode"},
		{wazo, Password, "alice's password"},
		{wazo, RefreshToken, strings.Repeat("t", 1500)},
		{sip, Password, "changed"}, // replaces, does not add
	}
	for _, st := range steps {
		if err := s.Set(st.account, st.kind, st.secret); err != nil {
			t.Fatalf("Set(%s, %s): %v", st.account, st.kind, err)
		}
	}
	want := map[[2]string]string{
		{sip, string(Password)}:      "changed",
		{wazo, string(Password)}:     "alice's password",
		{wazo, string(RefreshToken)}: strings.Repeat("t", 1500),
	}
	for k, v := range want {
		got, err := s.Get(k[0], Kind(k[1]))
		if err != nil || got != v {
			t.Errorf("Get(%s, %s) = %.20q, %v; want %.20q", k[0], k[1], got, err, v)
		}
	}
	if _, err := s.Get(sip, RefreshToken); !errors.Is(err, ErrNotFound) {
		t.Errorf("a kind never set: %v, want ErrNotFound", err)
	}
	if err := s.Delete(wazo, RefreshToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(wazo, RefreshToken); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v, want ErrNotFound", err)
	}
	if got, err := s.Get(wazo, Password); err != nil || got != "alice's password" {
		t.Errorf("Delete of the token touched the password: %q, %v", got, err)
	}
	if err := s.Delete(wazo, RefreshToken); err != nil {
		t.Errorf("Delete of what is not there: %v, want nil", err)
	}

	bad := []struct {
		name    string
		account string
		kind    Kind
		secret  string
	}{
		{"empty account", "", Password, "x"},
		{"line break in account", "sip:a\n@b", Password, "x"},
		{"empty kind", sip, "", "x"},
		{"empty secret", sip, Password, ""},
		{"too long", sip, Password, strings.Repeat("x", maxSecret+1)},
	}
	for _, b := range bad {
		if err := s.Set(b.account, b.kind, b.secret); !errors.Is(err, ErrInvalid) {
			t.Errorf("Set with %s: %v, want ErrInvalid", b.name, err)
		}
	}
}

func TestKeyringEntryNames(t *testing.T) {
	// The entry a user sees in Seahorse or Keychain Access: service Parley,
	// user "<kind>:<account>"; a script can read it with
	// `secret-tool lookup service Parley username password:sip:…`.
	keyring.MockInit()
	k := NewKeyring()
	if err := k.Set(SIPAccount("1001", "pbx"), Password, "pw"); err != nil {
		t.Fatal(err)
	}
	got, err := keyring.Get(DefaultService, "password:sip:1001@pbx")
	if err != nil || got != "pw" {
		t.Fatalf("keyring entry = %q, %v", got, err)
	}
}

func TestKeyringFailureIsUnavailable(t *testing.T) {
	cause := errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")
	keyring.MockInitWithError(cause)
	t.Cleanup(keyring.MockInit)
	k := NewKeyring()
	for name, err := range map[string]error{
		"get":    func() error { _, err := k.Get("sip:a@b", Password); return err }(),
		"set":    k.Set("sip:a@b", Password, "x"),
		"delete": k.Delete("sip:a@b", Password),
	} {
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) {
			t.Errorf("%s: %v; want ErrUnavailable wrapping the cause", name, err)
		}
	}
}

func TestAccountID(t *testing.T) {
	tests := []struct {
		user, sip, wazo, want string
	}{
		{"1001", "pbx.example.com", "", "sip:1001@pbx.example.com"},
		{"alice", "", "wazo.example.com", "wazo:alice@wazo.example.com"},
		{"alice", "ignored", "wazo.example.com:8443", "wazo:alice@wazo.example.com:8443"},
	}
	for _, tt := range tests {
		if got := AccountID(tt.user, tt.sip, tt.wazo); got != tt.want {
			t.Errorf("AccountID(%q, %q, %q) = %q, want %q", tt.user, tt.sip, tt.wazo, got, tt.want)
		}
	}
}
