// Package fleet reads the system-wide defaults an IT team deploys with
// Parley (docs/deploy.md): one file per machine, in one documented place per
// OS, whose values pre-fill every user's settings and, for the keys it marks
// locked, override them.
//
// The package knows nothing about flags or account files: the command line
// hands it the user's layer as a Config and gets the merged Config back
// (Merge), so the precedence rules live, and are tested, in one place.
package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// ErrInvalid marks a fleet file that cannot be used. Parley refuses to start
// with one rather than silently ignoring the organisation's policy.
var ErrInvalid = errors.New("invalid fleet configuration")

// Config holds every setting a fleet file may set. An empty string means
// "not set" at that layer.
type Config struct {
	// AccountType is "wazo" (Server is a Wazo Platform stack, users sign in
	// with their Wazo login) or "sip" (Server is a SIP registrar).
	AccountType string `json:"account_type,omitempty"`
	Server      string `json:"server,omitempty"`
	// CertificatePin is the hex SHA-256 of a self-signed Wazo certificate.
	CertificatePin string `json:"certificate_sha256,omitempty"`
	Transport      string `json:"transport,omitempty"`
	WSPath         string `json:"ws_path,omitempty"`
	Domain         string `json:"domain,omitempty"`
	// AutoAnswer is "off", "intercom" (calls the server marks for auto
	// answer) or "always".
	AutoAnswer string `json:"auto_answer,omitempty"`
	// Audio is auto, null or off (parley -audio); the devices are names as
	// the OS lists them, empty for the system default.
	Audio       string `json:"audio,omitempty"`
	AudioInput  string `json:"audio_input,omitempty"`
	AudioOutput string `json:"audio_output,omitempty"`
	// LocalAPI is "on" or "off": whether other programs on the machine may
	// drive Parley (headless commands, link hand-over).
	LocalAPI string `json:"local_api,omitempty"`
	// UpdatePolicy is "notify" (tell the user about new releases) or "off"
	// (IT deploys updates; never check).
	UpdatePolicy string `json:"update_policy,omitempty"`
}

// File is a parsed fleet file: its values and the keys users cannot change.
type File struct {
	Config
	// Locked names keys (the JSON names above) whose fleet value wins over
	// the user's file, the environment and flags.
	Locked []string `json:"locked,omitempty"`
	// Path is where the file was read from, for messages; empty when there
	// was none.
	Path string `json:"-"`
}

// field binds a key to its place in Config, so merging and validation walk
// one table instead of repeating every setting.
type field struct {
	key     string
	get     func(*Config) *string
	allowed []string // nil: free text
}

var fields = []field{
	{"account_type", func(c *Config) *string { return &c.AccountType }, []string{"wazo", "sip"}},
	{"server", func(c *Config) *string { return &c.Server }, nil},
	{"certificate_sha256", func(c *Config) *string { return &c.CertificatePin }, nil},
	{"transport", func(c *Config) *string { return &c.Transport }, []string{"udp", "tcp", "tls", "ws", "wss"}},
	{"ws_path", func(c *Config) *string { return &c.WSPath }, nil},
	{"domain", func(c *Config) *string { return &c.Domain }, nil},
	{"auto_answer", func(c *Config) *string { return &c.AutoAnswer }, []string{"off", "intercom", "always"}},
	{"audio", func(c *Config) *string { return &c.Audio }, []string{"auto", "null", "off"}},
	{"audio_input", func(c *Config) *string { return &c.AudioInput }, nil},
	{"audio_output", func(c *Config) *string { return &c.AudioOutput }, nil},
	{"local_api", func(c *Config) *string { return &c.LocalAPI }, []string{"on", "off"}},
	{"update_policy", func(c *Config) *string { return &c.UpdatePolicy }, []string{"notify", "off"}},
}

// Keys lists every key a fleet file may set or lock, in file order.
func Keys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// DefaultPath is the one place each OS keeps the fleet file:
// /etc/parley/parley.json, %ProgramData%\Parley\parley.json, or
// /Library/Application Support/Parley/parley.json.
func DefaultPath(goos string, getenv func(string) string) string {
	switch goos {
	case "windows":
		pd := getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		// Joined by hand: this must give a Windows path even when the
		// tests run on Linux.
		return strings.TrimRight(pd, `\`) + `\Parley\parley.json`
	case "darwin":
		return "/Library/Application Support/Parley/parley.json"
	default:
		return "/etc/parley/parley.json"
	}
}

// Load reads the fleet file at path. A missing file is not an error: it
// returns an empty File, since most machines have none.
func Load(path string) (File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("%w: cannot read %s: %w", ErrInvalid, path, err)
	}
	f, err := Read(strings.NewReader(string(data)))
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", filepath.Clean(path), err)
	}
	f.Path = path
	return f, nil
}

// Read parses and validates a fleet file. Unknown keys are errors: a
// misspelt "lockd" must not quietly leave a setting open.
func Read(r io.Reader) (File, error) {
	var f File
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := f.validate(); err != nil {
		return File{}, err
	}
	return f, nil
}

func (f *File) validate() error {
	for _, fd := range fields {
		p := fd.get(&f.Config)
		*p = strings.TrimSpace(*p)
		if *p == "" || fd.allowed == nil {
			continue
		}
		*p = strings.ToLower(*p)
		if !slices.Contains(fd.allowed, *p) {
			return fmt.Errorf("%w: %s is %q; use one of %s", ErrInvalid, fd.key, *p, strings.Join(fd.allowed, ", "))
		}
	}
	for _, k := range f.Locked {
		if !slices.Contains(Keys(), k) {
			return fmt.Errorf("%w: cannot lock unknown key %q (keys: %s)", ErrInvalid, k, strings.Join(Keys(), ", "))
		}
	}
	return nil
}

// IsLocked reports whether users cannot change key.
func (f File) IsLocked(key string) bool { return slices.Contains(f.Locked, key) }

// Under lays f beneath o: o's values win where set, locks add up. Windows
// uses it to put the install-time registry values (MSI properties) under the
// fleet file.
func (f File) Under(o File) File {
	out := File{Config: f.Config, Path: o.Path}
	if out.Path == "" {
		out.Path = f.Path
	}
	for _, fd := range fields {
		if v := *fd.get(&o.Config); v != "" {
			*fd.get(&out.Config) = v
		}
	}
	out.Locked = append(slices.Clone(f.Locked), o.Locked...)
	sort.Strings(out.Locked)
	out.Locked = slices.Compact(out.Locked)
	return out
}

// Merge applies the fleet file to the user's settings (their account file,
// environment and flags, already combined): a fleet value fills in what the
// user left unset, and a locked fleet value replaces what the user set.
// overridden lists the locked keys where the user's own value was dropped,
// so Parley can say why their setting has no effect.
func (f File) Merge(user Config) (merged Config, overridden []string) {
	merged = user
	for _, fd := range fields {
		fleetVal := *fd.get(&f.Config)
		if fleetVal == "" {
			continue
		}
		dst := fd.get(&merged)
		switch {
		case *dst == "":
			*dst = fleetVal
		case f.IsLocked(fd.key) && *dst != fleetVal:
			*dst = fleetVal
			overridden = append(overridden, fd.key)
		}
	}
	return merged, overridden
}

// Account returns the fleet's account settings alone, as a first start
// writes them into the user's new account file.
func (f File) Account() Config {
	return Config{
		AccountType:    f.AccountType,
		Server:         f.Server,
		CertificatePin: f.CertificatePin,
		Transport:      f.Transport,
		WSPath:         f.WSPath,
		Domain:         f.Domain,
	}
}
