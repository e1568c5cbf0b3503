package fleet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	cases := []struct {
		name, json string
		want       File
		err        string
	}{
		{name: "empty object", json: `{}`, want: File{}},
		{name: "wazo fleet", json: `{"account_type":"Wazo","server":" wazo.example.com ","certificate_sha256":"ab:cd","locked":["server"]}`,
			want: File{Config: Config{AccountType: "wazo", Server: "wazo.example.com", CertificatePin: "ab:cd"}, Locked: []string{"server"}}},
		{name: "policies", json: `{"auto_answer":"intercom","audio":"null","local_api":"off","update_policy":"OFF"}`,
			want: File{Config: Config{AutoAnswer: "intercom", Audio: "null", LocalAPI: "off", UpdatePolicy: "off"}}},
		{name: "misspelt key", json: `{"lockd":["server"]}`, err: "lockd"},
		{name: "bad choice", json: `{"transport":"carrier-pigeon"}`, err: "transport"},
		{name: "lock unknown key", json: `{"locked":["password"]}`, err: "password"},
		{name: "not json", json: `server=pbx`, err: "invalid"},
		{name: "wrong type", json: `{"local_api":true}`, err: "local_api"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(c.json))
			if c.err != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want ErrInvalid mentioning %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	fleet := File{
		Config: Config{AccountType: "wazo", Server: "wazo.corp", CertificatePin: "ab", AutoAnswer: "off", Audio: "auto"},
		Locked: []string{"server", "auto_answer"},
	}
	cases := []struct {
		name       string
		user       Config
		want       Config
		overridden []string
	}{
		{name: "first start: fleet pre-fills", user: Config{},
			want: fleet.Config},
		{name: "user keeps unlocked choices", user: Config{Audio: "null", CertificatePin: "cd"},
			want: Config{AccountType: "wazo", Server: "wazo.corp", CertificatePin: "cd", AutoAnswer: "off", Audio: "null"}},
		{name: "locked keys win", user: Config{Server: "elsewhere", AutoAnswer: "always"},
			want: fleet.Config, overridden: []string{"server", "auto_answer"}},
		{name: "same value is no override", user: Config{Server: "wazo.corp"},
			want: fleet.Config},
		{name: "user-only settings pass through", user: Config{Domain: "corp", Transport: "wss"},
			want: Config{AccountType: "wazo", Server: "wazo.corp", CertificatePin: "ab", AutoAnswer: "off", Audio: "auto", Domain: "corp", Transport: "wss"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, over := fleet.Merge(c.user)
			if got != c.want {
				t.Errorf("merged %+v, want %+v", got, c.want)
			}
			if !reflect.DeepEqual(over, c.overridden) {
				t.Errorf("overridden %v, want %v", over, c.overridden)
			}
		})
	}
	if got, over := (File{}).Merge(Config{Server: "x"}); got.Server != "x" || over != nil {
		t.Errorf("no fleet file changed the user's settings: %+v %v", got, over)
	}
}

func TestUnder(t *testing.T) {
	reg := File{Config: Config{Server: "from-msi", AccountType: "sip"}, Path: "HKLM"}
	file := File{Config: Config{Server: "from-file"}, Locked: []string{"server"}, Path: "parley.json"}
	got := reg.Under(file)
	want := File{Config: Config{Server: "from-file", AccountType: "sip"}, Locked: []string{"server"}, Path: "parley.json"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := reg.Under(File{}); got.Server != "from-msi" || got.Path != "HKLM" {
		t.Fatalf("registry alone: %+v", got)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", nil, "/etc/parley/parley.json"},
		{"freebsd", nil, "/etc/parley/parley.json"},
		{"darwin", nil, "/Library/Application Support/Parley/parley.json"},
		{"windows", map[string]string{"ProgramData": `D:\ProgramData\`}, `D:\ProgramData\Parley\parley.json`},
		{"windows", nil, `C:\ProgramData\Parley\parley.json`},
	}
	for _, c := range cases {
		if got := DefaultPath(c.goos, env(c.env)); got != c.want {
			t.Errorf("DefaultPath(%s) = %q, want %q", c.goos, got, c.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if f, err := Load(filepath.Join(dir, "none.json")); err != nil || !reflect.DeepEqual(f, File{}) {
		t.Fatalf("missing file: %+v, %v", f, err)
	}
	p := filepath.Join(dir, "parley.json")
	if err := os.WriteFile(p, []byte(`{"server":"pbx"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(p); err != nil || f.Server != "pbx" || f.Path != p {
		t.Fatalf("Load: %+v, %v", f, err)
	}
	if err := os.WriteFile(p, []byte(`{"server":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), p) {
		t.Fatalf("broken file: %v", err)
	}
}

func TestKeysCoverConfig(t *testing.T) {
	// Every Config field must be in the table, or it could never be merged
	// or locked.
	if n := reflect.TypeOf(Config{}).NumField(); n != len(Keys()) {
		t.Fatalf("Config has %d fields, the key table %d", n, len(Keys()))
	}
	for i, k := range Keys() {
		if tag := strings.Split(reflect.TypeOf(Config{}).Field(i).Tag.Get("json"), ",")[0]; tag != k {
			t.Errorf("field %d: json %q, key %q", i, tag, k)
		}
	}
}
