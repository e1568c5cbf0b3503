package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// MigrateAccountFile moves the password out of a Parley account file (the
// JSON file internal/cli reads: docs/headless.md) into store, then rewrites
// the file without its "password" field. Until now the documented way to
// keep a password was to type it into that file.
//
// It returns the account id the password was stored under (SIPAccount or,
// for a file with a "wazo" object, WazoAccount) and whether anything moved.
// A file without a password, or with an empty one, is left untouched. A
// store that forgets at exit (Memory, the "ask at each start" choice) is
// refused with ErrNotPersistent: the file keeps the password, and the window
// should tell the user it is there in plain text and offer the encrypted
// file.
//
// The order keeps the password safe whatever fails: it is stored, read back
// and compared first, and only then is the file rewritten (atomically: a
// temporary file renamed over it, mode 0600). If the store fails, the file
// still has it; if the rewrite fails, both have it and a later call finishes
// the job. Every other field is kept as it was written.
func MigrateAccountFile(path string, store Store) (account string, migrated bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("cannot read the account file %s: %w", path, err)
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return "", false, fmt.Errorf("the account file %s is not valid: %w", path, err)
	}
	raw, ok := fields["password"]
	if !ok {
		return "", false, nil
	}
	var password string
	if err := json.Unmarshal(raw, &password); err != nil {
		return "", false, fmt.Errorf("the account file %s is not valid: its password is not a string", path)
	}
	if password == "" {
		return "", false, nil
	}
	if !persistent(store) {
		return "", false, fmt.Errorf("the account file %s holds a password in plain text: %w", path, ErrNotPersistent)
	}
	account, err = accountOf(fields)
	if err != nil {
		return "", false, fmt.Errorf("the account file %s: %w", path, err)
	}
	if err := store.Set(account, Password, password); err != nil {
		return account, false, fmt.Errorf("moving the password of %s out of %s: %w", account, path, err)
	}
	back, err := store.Get(account, Password)
	if err != nil {
		return account, false, fmt.Errorf("moving the password of %s out of %s: reading it back: %w", account, path, err)
	}
	if !constantTimeEqual(back, password) {
		return account, false, fmt.Errorf("moving the password of %s out of %s: %w: the store gave back another value", account, path, ErrUnavailable)
	}
	delete(fields, "password")
	out, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return account, false, err
	}
	if err := writeAtomic(path, append(out, '\n')); err != nil {
		return account, false, err
	}
	return account, true, nil
}

// accountOf builds the account id from an account file's fields with
// AccountID, as whoever reads the password back must.
func accountOf(fields map[string]json.RawMessage) (string, error) {
	str := func(raw json.RawMessage) string {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	user := str(fields["username"])
	if user == "" {
		return "", errors.New("it has a password but no username, so the password cannot be filed under an account")
	}
	var wz struct {
		Server string `json:"server"`
	}
	if raw, ok := fields["wazo"]; ok {
		_ = json.Unmarshal(raw, &wz)
	}
	server := str(fields["server"])
	if wz.Server == "" && server == "" {
		return "", errors.New("it has a password but no server, so the password cannot be filed under an account")
	}
	return AccountID(user, server, wz.Server), nil
}
