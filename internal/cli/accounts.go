package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parley-voip/parley/gui"
)

// maxSavedAccounts bounds the saved accounts list; the oldest goes first.
const maxSavedAccounts = 10

// savedAccount is one entry of accounts.json: what the sign-in form needs
// to fill itself in, never the password (the keyring has it).
type savedAccount struct {
	Kind           string   `json:"kind"` // "wazo" or "sip"
	Server         string   `json:"server"`
	Username       string   `json:"username"`
	Transport      string   `json:"transport,omitempty"`
	AuthUsername   string   `json:"auth_username,omitempty"`
	DisplayName    string   `json:"display_name,omitempty"`
	STUN           []string `json:"stun,omitempty"`
	TURN           string   `json:"turn,omitempty"`
	TURNUser       string   `json:"turn_username,omitempty"`
	CertificatePin string   `json:"certificate_sha256,omitempty"`
}

func (a savedAccount) sipServer() string {
	if a.Kind == string(gui.AccountSIP) {
		return a.Server
	}
	return ""
}

func (a savedAccount) wazoServer() string {
	if a.Kind == string(gui.AccountWazo) {
		return a.Server
	}
	return ""
}

func (a savedAccount) signIn() gui.SignIn {
	in := gui.SignIn{Kind: gui.AccountKind(a.Kind), Server: a.Server, Username: a.Username, Transport: a.Transport,
		AuthUsername: a.AuthUsername, DisplayName: a.DisplayName, CertificatePin: a.CertificatePin,
		TURN: a.TURN, TURNUser: a.TURNUser}
	if len(a.STUN) > 0 {
		in.STUN = a.STUN[0]
	}
	return in
}

// accountListPath is accounts.json beside the account file.
func accountListPath(configPath string) string {
	if configPath == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(configPath), "accounts.json")
}

func readAccountList(path string) ([]savedAccount, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var list []savedAccount
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s is not valid: %w", path, err)
	}
	return list, nil
}

// rememberAccount puts the account s signed in with first in the saved
// accounts list (the one used last comes first).
func rememberAccount(s Settings) error {
	path := accountListPath(s.ConfigPath)
	if path == "" {
		return nil
	}
	list, err := readAccountList(path)
	if err != nil {
		list = nil // replaced by a good one
	}
	a := savedAccount{Kind: string(gui.AccountSIP), Server: s.Account.Server, Username: s.Account.Username,
		Transport: s.Account.Transport, AuthUsername: s.Account.AuthUsername, DisplayName: s.Account.DisplayName,
		STUN: s.Line.STUN, TURN: s.Line.TURN, TURNUser: s.Line.TURNUser}
	if s.Wazo.Server != "" {
		a = savedAccount{Kind: string(gui.AccountWazo), Server: s.Wazo.Server, Username: s.Account.Username,
			CertificatePin: s.Wazo.CertificatePin}
	}
	out := []savedAccount{a}
	for _, old := range list {
		if old.Kind == a.Kind && old.Server == a.Server && old.Username == a.Username {
			continue
		}
		out = append(out, old)
	}
	if len(out) > maxSavedAccounts {
		out = out[:maxSavedAccounts]
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
