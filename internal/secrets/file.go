package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// File is the encrypted secrets file, for sessions without a keyring when
// the user chose it over typing the password at each start. docs/secrets.md
// documents the format; in short, a JSON envelope
//
//	{"format":"parley-secrets","version":1,
//	 "kdf":{"name":"argon2id","time":3,"memoryKiB":65536,"threads":4,"salt":"…"},
//	 "cipher":"AES-256-GCM","nonce":"…","data":"…"}
//
// where data is AES-256-GCM over the JSON list of entries, keyed by Argon2id
// of the passphrase (RFC 9106) and authenticated together with the envelope's
// header fields, so a changed parameter is detected like a changed byte.
// Every change rewrites the whole file (a new temporary file, synced, then
// renamed over the old one) with mode 0600 and a fresh nonce.
//
// One process owns the file: Parley runs a single instance.
type File struct {
	path string
	kdf  kdfParams

	mu      sync.Mutex
	key     []byte // nil once closed
	entries map[entryKey]string
}

// FileOption configures CreateFile.
type FileOption func(*kdfParams)

// WithArgon2 sets the Argon2id cost of a new file (time passes, memory in
// KiB, threads). The default is RFC 9106's second recommended option,
// t=3, m=64 MiB, p=4; tests lower it. The cost is stored in the file, so
// opening needs no option.
func WithArgon2(time, memoryKiB uint32, threads uint8) FileOption {
	return func(p *kdfParams) { p.Time, p.MemoryKiB, p.Threads = time, memoryKiB, threads }
}

// MinPassphrase is the shortest passphrase CreateFile accepts, in characters.
const MinPassphrase = 8

const (
	fileFormat  = "parley-secrets"
	fileVersion = 1
	kdfArgon2id = "argon2id"
	cipherGCM   = "AES-256-GCM"
	saltBytes   = 16
	keyBytes    = 32
)

// Upper bounds on what a file may ask for, so a crafted file cannot make
// opening it take all memory or all day.
const (
	maxTime      = 16
	maxMemoryKiB = 1 << 20 // 1 GiB
)

type kdfParams struct {
	Name      string `json:"name"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memoryKiB"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"` // base64 in JSON
}

// header is the authenticated, unencrypted part of the envelope.
type header struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	KDF     kdfParams `json:"kdf"`
	Cipher  string    `json:"cipher"`
}

type envelope struct {
	header
	Nonce []byte `json:"nonce"`
	Data  []byte `json:"data"`
}

type fileEntry struct {
	Account string `json:"account"`
	Kind    Kind   `json:"kind"`
	Secret  string `json:"secret"`
}

// CreateFile makes a new, empty secrets file at path locked by passphrase.
// It refuses to replace an existing file (fs.ErrExist): open that with
// OpenFile, or remove it knowingly.
func CreateFile(path string, passphrase []byte, opts ...FileOption) (*File, error) {
	if n := utf8.RuneCount(passphrase); n < MinPassphrase {
		return nil, fmt.Errorf("%w: the passphrase needs at least %d characters", ErrInvalid, MinPassphrase)
	}
	p := kdfParams{Name: kdfArgon2id, Time: 3, MemoryKiB: 64 << 10, Threads: 4}
	for _, o := range opts {
		o(&p)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	p.Salt = make([]byte, saltBytes)
	if _, err := rand.Read(p.Salt); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%w: cannot create the folder of %s: %w", ErrUnavailable, path, err)
	}
	// O_EXCL claims the name, so two windows never both create it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("the secrets file %s already exists: %w", path, err)
		}
		return nil, fmt.Errorf("%w: cannot create %s: %w", ErrUnavailable, path, err)
	}
	f.Close()
	s := &File{path: path, kdf: p, key: p.derive(passphrase), entries: make(map[entryKey]string)}
	if err := s.saveLocked(); err != nil {
		os.Remove(path)
		return nil, err
	}
	return s, nil
}

// OpenFile opens an existing secrets file with passphrase. A wrong
// passphrase, or a file altered since it was written, gives
// ErrWrongPassphrase; a missing file fs.ErrNotExist.
func OpenFile(path string, passphrase []byte) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no secrets file at %s: %w", path, err)
		}
		return nil, fmt.Errorf("%w: cannot read %s: %w", ErrUnavailable, path, err)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || env.Format != fileFormat {
		return nil, fmt.Errorf("%w: %s is not a Parley secrets file", ErrUnavailable, path)
	}
	if env.Version != fileVersion {
		return nil, fmt.Errorf("%w: %s is in format version %d, which this Parley (version %d) cannot read; it was written by a newer Parley", ErrUnavailable, path, env.Version, fileVersion)
	}
	if env.Cipher != cipherGCM {
		return nil, fmt.Errorf("%w: %s uses the cipher %q, which this Parley does not know", ErrUnavailable, path, env.Cipher)
	}
	if err := env.KDF.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(env.KDF.Salt) < saltBytes {
		return nil, fmt.Errorf("%w: %s has a salt that is too short", ErrUnavailable, path)
	}
	key := env.KDF.derive(passphrase)
	plain, err := open(key, env)
	if err != nil {
		return nil, err
	}
	var list []fileEntry
	if err := json.Unmarshal(plain, &list); err != nil {
		return nil, fmt.Errorf("%w: the content of %s is damaged", ErrUnavailable, path)
	}
	s := &File{path: path, kdf: env.KDF, key: key, entries: make(map[entryKey]string, len(list))}
	for _, e := range list {
		s.entries[entryKey{e.Account, e.Kind}] = e.Secret
	}
	if runtime.GOOS != "windows" {
		// A copy restored from a backup may have lost its mode; the content
		// is encrypted, but there is no reason to let others read it.
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(path, 0o600)
		}
	}
	return s, nil
}

// Path is the file's location.
func (s *File) Path() string { return s.path }

// Get implements Store.
func (s *File) Get(account string, kind Kind) (string, error) {
	if err := checkEntry(account, kind, nil); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return "", errClosed
	}
	v, ok := s.entries[entryKey{account, kind}]
	if !ok {
		return "", fmt.Errorf("%w: %s of %s", ErrNotFound, kind, account)
	}
	return v, nil
}

// Set implements Store; the file is rewritten before Set returns.
func (s *File) Set(account string, kind Kind, secret string) error {
	if err := checkEntry(account, kind, &secret); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return errClosed
	}
	k := entryKey{account, kind}
	old, had := s.entries[k]
	s.entries[k] = secret
	if err := s.saveLocked(); err != nil {
		if had {
			s.entries[k] = old
		} else {
			delete(s.entries, k)
		}
		return err
	}
	return nil
}

// Delete implements Store; the file is rewritten before Delete returns.
func (s *File) Delete(account string, kind Kind) error {
	if err := checkEntry(account, kind, nil); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return errClosed
	}
	k := entryKey{account, kind}
	old, had := s.entries[k]
	if !had {
		return nil
	}
	delete(s.entries, k)
	if err := s.saveLocked(); err != nil {
		s.entries[k] = old
		return err
	}
	return nil
}

// ChangePassphrase re-encrypts the file under a new passphrase (and a new
// salt).
func (s *File) ChangePassphrase(passphrase []byte) error {
	if n := utf8.RuneCount(passphrase); n < MinPassphrase {
		return fmt.Errorf("%w: the passphrase needs at least %d characters", ErrInvalid, MinPassphrase)
	}
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		return errClosed
	}
	oldKDF, oldKey := s.kdf, s.key
	s.kdf.Salt = salt
	s.key = s.kdf.derive(passphrase)
	if err := s.saveLocked(); err != nil {
		s.kdf, s.key = oldKDF, oldKey
		return err
	}
	clear(oldKey)
	return nil
}

// Close forgets the key and the secrets held in memory; the store cannot be
// used afterwards.
func (s *File) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.key)
	s.key, s.entries = nil, nil
	return nil
}

var errClosed = fmt.Errorf("%w: the secrets file was closed", ErrUnavailable)

// saveLocked encrypts the entries and replaces the file atomically.
func (s *File) saveLocked() error {
	list := make([]fileEntry, 0, len(s.entries))
	for k, v := range s.entries {
		list = append(list, fileEntry{Account: k.account, Kind: k.kind, Secret: v})
	}
	plain, err := json.Marshal(list)
	if err != nil {
		return err
	}
	env := envelope{header: header{Format: fileFormat, Version: fileVersion, KDF: s.kdf, Cipher: cipherGCM}}
	aead, err := newGCM(s.key)
	if err != nil {
		return err
	}
	env.Nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(env.Nonce); err != nil {
		return err
	}
	aad, err := json.Marshal(env.header)
	if err != nil {
		return err
	}
	env.Data = aead.Seal(nil, env.Nonce, plain, aad)
	clear(plain)
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(s.path, append(out, '\n'))
}

// open authenticates and decrypts env's data with key.
func open(key []byte, env envelope) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(env.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%w: the file's nonce is damaged", ErrUnavailable)
	}
	aad, err := json.Marshal(env.header)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, env.Nonce, env.Data, aad)
	if err != nil {
		// GCM cannot tell a wrong key from altered bytes; both are "this
		// passphrase does not open this file".
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (p kdfParams) check() error {
	switch {
	case p.Name != kdfArgon2id:
		return fmt.Errorf("%w: unknown key derivation %q", ErrUnavailable, p.Name)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: Argon2 time cost %d is outside 1..%d", ErrInvalid, p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("%w: Argon2 needs at least one thread", ErrInvalid)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("%w: Argon2 memory %d KiB is outside %d..%d", ErrInvalid, p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

// derive is Argon2id (RFC 9106 §3) of the passphrase into an AES-256 key.
func (p kdfParams) derive(passphrase []byte) []byte {
	return argon2.IDKey(passphrase, p.Salt, p.Time, p.MemoryKiB, p.Threads, keyBytes)
}

// writeAtomic replaces path with data: a temporary file in the same folder
// (mode 0600 from os.CreateTemp), synced, then renamed over path, so a crash
// leaves the old file or the new one, never half of one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("%w: cannot write next to %s: %w", ErrUnavailable, path, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("%w: cannot write %s: %w", ErrUnavailable, path, err)
	}
	return nil
}

// constantTimeEqual is used by tests and the migration's read-back check.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
