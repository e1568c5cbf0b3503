package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// prefillAccountFile writes the account a fleet file describes into the
// user's new account file on first start, so the agent only adds a username
// and password (docs/deploy.md). An existing file is never touched: the
// O_EXCL open makes a race with another starting instance harmless.
func prefillAccountFile(s Settings) error {
	if !s.NewAccountFile || s.ConfigPath == "" {
		return nil
	}
	f := accountFile{
		Transport:   s.Account.Transport,
		Server:      s.Account.Server,
		WSPath:      s.Account.WSPath,
		Domain:      s.Account.Domain,
		Username:    s.Account.Username,
		DisplayName: s.Account.DisplayName,
	}
	if s.Wazo.Server != "" {
		f.Wazo = &struct {
			Server         string `json:"server"`
			CertificatePin string `json:"certificate_sha256"`
		}{s.Wazo.Server, s.Wazo.CertificatePin}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.ConfigPath), 0o700); err != nil {
		return fmt.Errorf("pre-filling the account file: %w", err)
	}
	// 0600: the agent is about to type a password into it.
	out, err := os.OpenFile(s.ConfigPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pre-filling the account file: %w", err)
	}
	if _, err := out.Write(append(data, '\n')); err != nil {
		out.Close()
		return fmt.Errorf("pre-filling the account file: %w", err)
	}
	return out.Close()
}

// showConfig prints the effective settings for IT support, never the
// password.
func showConfig(w io.Writer, s Settings) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(effectiveConfig(s))
}

// effectiveConfig is the settings as -show-config and the diagnostics
// bundle show them: the password is only said to be set.
func effectiveConfig(s Settings) map[string]any {
	acct := s.Account
	if acct.Password != "" {
		acct.Password = "(set)"
	}
	locked := s.Fleet.Locked
	if locked == nil {
		locked = []string{}
	}
	out := map[string]any{
		"account":          acct,
		"wazo":             s.Wazo,
		"account_file":     s.ConfigPath,
		"fleet_file":       s.Fleet.Path,
		"locked":           locked,
		"fleet_overridden": s.FleetOverridden,
		"policy":           s.Policy,
		"dial":             s.Dial,
		"local_ip":         s.LocalIP,
		"line":             s.Line,
	}
	return out
}

// fleetNotes tells the agent, once, what the organisation's file did.
func fleetNotes(w io.Writer, s Settings) {
	if len(s.FleetOverridden) > 0 {
		fmt.Fprintf(w, "parley: %s locked by your organisation (%s): your own value is not used\n",
			strings.Join(s.FleetOverridden, ", "), s.Fleet.Path)
	}
}
