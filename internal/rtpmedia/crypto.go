package rtpmedia

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// SDES crypto suites (RFC 4568 §6.2). Both use a 128-bit AES key and a
// 112-bit salt; _32 shortens only the SRTP tag, SRTCP keeps 80 bits
// (RFC 3711 §5.2, RFC 4568 §6.2.2).
const (
	suite80 = "AES_CM_128_HMAC_SHA1_80"
	suite32 = "AES_CM_128_HMAC_SHA1_32"
	keyLen  = 16
	saltLen = 14
)

// suiteProfile maps a crypto-suite to pion's protection profile.
func suiteProfile(suite string) (srtp.ProtectionProfile, bool) {
	switch strings.ToUpper(suite) {
	case suite80:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, true
	case suite32:
		return srtp.ProtectionProfileAes128CmHmacSha1_32, true
	}
	return 0, false
}

// cryptoAttr is one a=crypto line (RFC 4568 §9.1):
//
//	a=crypto:<tag> <crypto-suite> inline:<key||salt base64>[|lifetime][|MKI:len] [session-params]
//
// key holds the 30 bytes of master key and salt. Its String never shows
// the key, so a cryptoAttr can be logged.
type cryptoAttr struct {
	tag   int
	suite string
	key   []byte
}

func (c cryptoAttr) String() string { return fmt.Sprintf("crypto %d %s", c.tag, c.suite) }

// attr is the SDP attribute value, key included: only ever written to SDP.
func (c cryptoAttr) attr() string {
	return fmt.Sprintf("%d %s inline:%s", c.tag, c.suite, base64.StdEncoding.EncodeToString(c.key))
}

var errBadCrypto = errors.New("unusable a=crypto attribute")

// parseCrypto parses an a=crypto value. Suites Parley does not implement,
// MKIs (pion/srtp keys one master key per context here) and several keys
// per line are refused: the caller skips such lines (RFC 4568 §7.1.1 lets
// the answerer pick any line it supports). Session parameters such as
// UNENCRYPTED_SRTP are refused too: Parley never sends clear text as SRTP.
func parseCrypto(v string) (cryptoAttr, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return cryptoAttr{}, errBadCrypto
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return cryptoAttr{}, errBadCrypto
	}
	if _, ok := suiteProfile(f[1]); !ok {
		return cryptoAttr{}, fmt.Errorf("%w: suite %s not supported", errBadCrypto, f[1])
	}
	if len(f) > 3 {
		return cryptoAttr{}, fmt.Errorf("%w: session parameters", errBadCrypto)
	}
	if strings.Contains(f[2], ";") {
		return cryptoAttr{}, fmt.Errorf("%w: several keys", errBadCrypto)
	}
	inline, ok := strings.CutPrefix(f[2], "inline:")
	if !ok {
		return cryptoAttr{}, errBadCrypto
	}
	parts := strings.Split(inline, "|")
	for _, p := range parts[1:] {
		if strings.Contains(p, ":") {
			return cryptoAttr{}, fmt.Errorf("%w: MKI", errBadCrypto)
		}
		// A lifetime (2^n or a number) is accepted: Parley's calls never
		// come near 2^31 packets (RFC 4568 §6.1).
	}
	key, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		// Some peers drop the padding.
		key, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	}
	if err != nil || len(key) != keyLen+saltLen {
		return cryptoAttr{}, fmt.Errorf("%w: key length", errBadCrypto)
	}
	return cryptoAttr{tag: tag, suite: strings.ToUpper(f[1]), key: key}, nil
}

// newCrypto makes a fresh key for suite (RFC 4568 §6.1: from a
// cryptographically strong random source).
func newCrypto(tag int, suite string) cryptoAttr {
	key := make([]byte, keyLen+saltLen)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go ≥ 1.24)
	return cryptoAttr{tag: tag, suite: suite, key: key}
}

// srtpCtx is one direction's SRTP/SRTCP context. pion's Context is not
// safe for concurrent use; audio and RTCP use it from different goroutines.
type srtpCtx struct {
	mu  sync.Mutex
	ctx *srtp.Context
	key string // the master key it was made from, to notice a re-key
}

func newSRTPCtx(c cryptoAttr) (*srtpCtx, error) {
	prof, _ := suiteProfile(c.suite)
	ctx, err := srtp.CreateContext(c.key[:keyLen], c.key[keyLen:], prof)
	if err != nil {
		return nil, fmt.Errorf("srtp context: %w", err)
	}
	return &srtpCtx{ctx: ctx, key: c.suite + string(c.key)}, nil
}

func (s *srtpCtx) encryptRTP(dst, plain []byte, h *rtp.Header) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx.EncryptRTP(dst, plain, h)
}

func (s *srtpCtx) decryptRTP(dst, in []byte, h *rtp.Header) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx.DecryptRTP(dst, in, h)
}

func (s *srtpCtx) encryptRTCP(dst, in []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx.EncryptRTCP(dst, in, nil)
}

func (s *srtpCtx) decryptRTCP(dst, in []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var h rtcp.Header
	return s.ctx.DecryptRTCP(dst, in, &h)
}
