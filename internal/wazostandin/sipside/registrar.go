package sipside

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// nonceLifetime bounds how long a digest nonce is accepted; older ones get
// a 401 with stale=true (RFC 2617 §3.2.1) so the client retries at once.
const nonceLifetime = 5 * time.Minute

// binding is one registered Contact of an AOR (RFC 3261 §10.3) plus the
// WebSocket flow it came over (RFC 7118 §5: requests to a WS client must go
// over the connection it registered from; its Contact host is fake).
type binding struct {
	contact   sip.Uri
	flow      string // remote address of the WS connection (pool key)
	transport string // "WSS"
	domain    string // SIP domain the client registered to (docs/wazo-protocol.md, Lines and registration: the HTTP host)
	expires   time.Time
	updated   time.Time
}

// registrar stores the bindings of the lines' AORs and checks digest
// credentials (docs/wazo-protocol.md, Lines and registration).
type registrar struct {
	side *Side
	key  []byte // HMAC key for stateless nonces

	mu       sync.Mutex
	bindings map[string][]binding // by line username
}

func newRegistrar(side *Side) *registrar {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &registrar{side: side, key: key, bindings: map[string][]binding{}}
}

// nonce is "<unix seconds hex>.<hmac>": stateless, and its age is known.
func (r *registrar) nonce() string {
	ts := strconv.FormatInt(r.side.now().Unix(), 16)
	return ts + "." + r.sign(ts)
}

func (r *registrar) sign(ts string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil))[:24]
}

// checkNonce reports whether the nonce is ours (valid) and still fresh.
func (r *registrar) checkNonce(n string) (valid, fresh bool) {
	ts, mac, ok := strings.Cut(n, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(r.sign(ts))) {
		return false, false
	}
	sec, err := strconv.ParseInt(ts, 16, 64)
	if err != nil {
		return false, false
	}
	return true, r.side.now().Sub(time.Unix(sec, 0)) < nonceLifetime
}

// challenge answers 401 with a digest challenge (RFC 3261 §22.4, RFC 2617
// with qop=auth and MD5, as Asterisk does; docs/wazo-protocol.md, Lines and registration).
func (r *registrar) challenge(req *sip.Request, tx sip.ServerTransaction, realm string, stale bool) {
	res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
	v := fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, realm, r.nonce())
	if stale {
		v += ", stale=true"
	}
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", v))
	r.side.respond(tx, res)
}

func (r *registrar) realm(req *sip.Request) string {
	if r.side.cfg.Realm != "" {
		return r.side.cfg.Realm
	}
	if req.Recipient.Host != "" {
		return req.Recipient.Host
	}
	return "wazo"
}

// authenticate checks the request's digest credentials against the line
// username/password (docs/wazo-protocol.md, Lines and registration). When they are missing, stale or wrong it
// answers 401 itself and returns ok=false.
func (r *registrar) authenticate(req *sip.Request, tx sip.ServerTransaction) (directory.User, directory.Line, bool) {
	realm := r.realm(req)
	h := req.GetHeader("Authorization")
	if h == nil {
		r.challenge(req, tx, realm, false)
		return directory.User{}, directory.Line{}, false
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		r.challenge(req, tx, realm, false)
		return directory.User{}, directory.Line{}, false
	}
	valid, fresh := r.checkNonce(cred.Nonce)
	if !valid {
		r.challenge(req, tx, realm, false)
		return directory.User{}, directory.Line{}, false
	}
	u, l, ok := r.side.cfg.Users.LineByUsername(cred.Username)
	if !ok || !digestMatches(cred, string(req.Method), l.Password) {
		r.side.log.Info("wazostandin: sip digest rejected", "username", cred.Username, "method", req.Method)
		r.challenge(req, tx, realm, false)
		return directory.User{}, directory.Line{}, false
	}
	if !fresh {
		r.challenge(req, tx, realm, true)
		return directory.User{}, directory.Line{}, false
	}
	return u, l, true
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// digestMatches recomputes the response of RFC 2617 §3.2.2.1 (MD5; qop=auth
// or the RFC 2069 form without qop).
func digestMatches(c *digest.Credentials, method, password string) bool {
	if c.Algorithm != "" && !strings.EqualFold(c.Algorithm, "MD5") {
		return false
	}
	ha1 := md5hex(c.Username + ":" + c.Realm + ":" + password)
	ha2 := md5hex(method + ":" + c.URI)
	var want string
	if c.QOP == "" {
		want = md5hex(ha1 + ":" + c.Nonce + ":" + ha2)
	} else {
		want = md5hex(fmt.Sprintf("%s:%s:%08x:%s:%s:%s", ha1, c.Nonce, c.Nc, c.Cnonce, c.QOP, ha2))
	}
	return hmac.Equal([]byte(want), []byte(strings.ToLower(c.Response)))
}

// onRegister is the registrar (RFC 3261 §10.3; docs/wazo-protocol.md, Lines and registration).
func (r *registrar) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	_, line, ok := r.authenticate(req, tx)
	if !ok {
		return
	}
	aor := line.Username
	now := r.side.now()

	defExp := -1
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			defExp = n
		}
	}
	contacts := req.GetHeaders("Contact")

	r.mu.Lock()
	list := r.bindings[aor]
	// Drop expired bindings first.
	kept := list[:0]
	for _, b := range list {
		if b.expires.After(now) {
			kept = append(kept, b)
		}
	}
	list = kept
	for _, h := range contacts {
		if strings.TrimSpace(h.Value()) == "*" {
			if defExp == 0 { // RFC 3261 §10.2.2: "Contact: *" with Expires: 0
				list = nil
			}
			continue
		}
		var c sip.ContactHeader
		if _, err := sip.ParseAddressValue(h.Value(), &c.Address, &c.Params); err != nil {
			continue
		}
		exp := defExp
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				exp = n
			}
		}
		if exp < 0 {
			exp = 120 // Asterisk default_expiration (docs/wazo-protocol.md, Lines and registration)
		}
		key := c.Address.String()
		idx := -1
		for i, b := range list {
			if b.contact.String() == key {
				idx = i
			}
		}
		if exp == 0 {
			if idx >= 0 {
				list = append(list[:idx], list[idx+1:]...)
			}
			continue
		}
		exp = min(max(exp, r.side.cfg.MinExpires), r.side.cfg.MaxExpires)
		b := binding{contact: c.Address, flow: req.Source(), transport: req.Transport(),
			domain: req.Recipient.Host, expires: now.Add(time.Duration(exp) * time.Second), updated: now}
		if idx >= 0 {
			list[idx] = b
		} else {
			list = append(list, b)
		}
	}
	if len(list) == 0 {
		delete(r.bindings, aor)
	} else {
		r.bindings[aor] = list
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	for _, b := range list {
		left := int(b.expires.Sub(now).Round(time.Second) / time.Second)
		res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("<%s>;expires=%d", b.contact.String(), left)))
	}
	r.mu.Unlock()
	r.side.log.Debug("wazostandin: sip register", "aor", aor, "flow", req.Source(), "bindings", len(list))
	r.side.respond(tx, res)
}

// lookup returns the most recently refreshed live binding of a line.
func (r *registrar) lookup(aor string) (binding, bool) {
	now := r.side.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var best binding
	found := false
	for _, b := range r.bindings[aor] {
		if b.expires.After(now) && (!found || b.updated.After(best.updated)) {
			best, found = b, true
		}
	}
	return best, found
}

// all returns every live binding (for the OPTIONS qualify loop).
func (r *registrar) all() []binding {
	now := r.side.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []binding
	for _, list := range r.bindings {
		for _, b := range list {
			if b.expires.After(now) {
				out = append(out, b)
			}
		}
	}
	return out
}

// dropFlow forgets the bindings of a WS connection that closed (RFC 7118
// docs/wazo-protocol.md, Calls API: a flow that is gone cannot be reached again).
func (r *registrar) dropFlow(flow string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for aor, list := range r.bindings {
		kept := list[:0]
		for _, b := range list {
			if b.flow != flow {
				kept = append(kept, b)
			}
		}
		if len(kept) == 0 {
			delete(r.bindings, aor)
		} else {
			r.bindings[aor] = kept
		}
	}
}
