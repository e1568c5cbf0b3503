package sipua

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// toTagger gives every response to an incoming INVITE one To tag (RFC 3261
// §8.2.6.2: "the same tag MUST be used for all responses to that request")
// and the 200 to its CANCEL that tag too (§9.2: SHOULD). sipgo v1.7 picks
// the dialog's tag in DialogUA.ReadInvite, but its transaction layer builds
// the 487 from the INVITE as received and the CANCEL's 200 from the CANCEL,
// each with a fresh random tag (docs/upstream/README.md has the fix we
// offered upstream).
//
// The only hook ahead of sipgo's transaction layer is its transport read
// filter, so that is where toTagger works: it writes our tag into the To
// header of an initial INVITE, of its retransmissions and of its CANCEL
// before sipgo parses them. Every response sipgo builds from either request
// then carries our tag, and the dialog uses it too (handleNewInvite). The
// tag is chosen from the INVITE's transaction identity (Call-ID, From tag,
// top Via branch: what a CANCEL repeats, §9.1), so the CANCEL finds it.
//
// A message is rewritten only when the bytes read are exactly one whole
// message (a datagram, a WebSocket frame, or a stream read holding one
// message). Otherwise it is left as it is and sipgo's behaviour applies:
// the CANCEL still gets our tag when the call reached handleNewInvite
// (adopt), the 487 does not.
type toTagger struct {
	parser *sip.Parser

	mu   sync.Mutex
	tags map[txIdentity]*tagEntry
	now  func() time.Time
}

// txIdentity names an INVITE server transaction as its CANCEL does.
type txIdentity struct {
	callID, fromTag, branch string
}

type tagEntry struct {
	tag string
	// expires is when an unclaimed or finished entry may go; zero while a
	// call holds it.
	expires time.Time
}

// toTagGrace keeps a tag after the INVITE transaction is over, for
// retransmissions and a late CANCEL: 64×T1, the longest a server INVITE
// transaction lives after its final response (Timers H and L).
const toTagGrace = 64 * 500 * time.Millisecond

// maxToTags bounds the table under an INVITE flood; beyond it INVITEs are
// left to sipgo's behaviour.
const maxToTags = 1024

func newToTagger() *toTagger {
	return &toTagger{parser: sip.NewParser(), tags: make(map[txIdentity]*tagEntry), now: time.Now}
}

// filter is the sip.TransportReadFilter.
func (tt *toTagger) filter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	isInvite := bytes.HasPrefix(data, []byte("INVITE "))
	if !isInvite && !bytes.HasPrefix(data, []byte("CANCEL ")) {
		return data, nil
	}
	var msg sip.Message
	var err error
	if stream := props.Transport == "tcp" || props.Transport == "tls"; stream {
		var n int
		msg, n, err = tt.parser.Parse(data, true)
		if err == nil && n != len(data) {
			return data, nil // more than one message in this read
		}
	} else {
		msg, err = tt.parser.ParseSIP(data)
	}
	if err != nil {
		return data, nil // sipgo reports it
	}
	req, ok := msg.(*sip.Request)
	if !ok || !wellFormed(req) {
		return data, nil
	}
	if tag, _ := req.To().Params.Get("tag"); tag != "" {
		return data, nil // in-dialog, or a CANCEL that already names a tag
	}
	id, ok := identityOf(req)
	if !ok {
		return data, nil
	}
	var tag string
	if isInvite {
		tag = tt.tagFor(id)
	} else {
		tag = tt.lookup(id)
	}
	if tag == "" {
		return data, nil
	}
	return insertToTag(data, tag), nil
}

// identityOf returns the transaction identity of an INVITE or CANCEL. Only
// RFC 3261 branches qualify: without the magic cookie a branch need not be
// unique (§17.2.3).
func identityOf(req *sip.Request) (txIdentity, bool) {
	via := req.Via()
	if via == nil {
		return txIdentity{}, false
	}
	branch, _ := via.Params.Get("branch")
	fromTag, _ := req.From().Params.Get("tag")
	if !strings.HasPrefix(branch, sip.RFC3261BranchMagicCookie) || fromTag == "" {
		return txIdentity{}, false
	}
	return txIdentity{callID: string(*req.CallID()), fromTag: fromTag, branch: branch}, true
}

// tagFor returns the tag of an INVITE's transaction, choosing it on first
// sight.
func (tt *toTagger) tagFor(id txIdentity) string {
	now := tt.now()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if e := tt.tags[id]; e != nil {
		return e.tag
	}
	for k, e := range tt.tags {
		if !e.expires.IsZero() && now.After(e.expires) {
			delete(tt.tags, k)
		}
	}
	if len(tt.tags) >= maxToTags {
		return ""
	}
	e := &tagEntry{tag: newTag(), expires: now.Add(toTagGrace)}
	tt.tags[id] = e
	return e.tag
}

func (tt *toTagger) lookup(id txIdentity) string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if e := tt.tags[id]; e != nil {
		return e.tag
	}
	return ""
}

// injected reports whether req's To tag is one the filter wrote into an
// initial INVITE (which must not be taken for a re-INVITE).
func (tt *toTagger) injected(req *sip.Request) bool {
	tag, _ := req.To().Params.Get("tag")
	id, ok := identityOf(req)
	return ok && tag != "" && tt.lookup(id) == tag
}

// claim keeps req's entry for as long as its call needs it and returns its
// tag, or "" when the filter did not tag this INVITE.
func (tt *toTagger) claim(req *sip.Request) string {
	id, ok := identityOf(req)
	if !ok {
		return ""
	}
	tag, _ := req.To().Params.Get("tag")
	tt.mu.Lock()
	defer tt.mu.Unlock()
	e := tt.tags[id]
	if e == nil || e.tag != tag {
		return ""
	}
	e.expires = time.Time{}
	return e.tag
}

// adopt records the tag sipgo chose for an INVITE the filter could not
// tag, so that at least its CANCEL's 200 carries it.
func (tt *toTagger) adopt(req *sip.Request, tag string) {
	id, ok := identityOf(req)
	if !ok || tag == "" {
		return
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if len(tt.tags) < maxToTags {
		tt.tags[id] = &tagEntry{tag: tag}
	}
}

// release lets req's entry go after the grace period.
func (tt *toTagger) release(req *sip.Request) {
	id, ok := identityOf(req)
	if !ok {
		return
	}
	now := tt.now()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if e := tt.tags[id]; e != nil {
		e.expires = now.Add(toTagGrace)
	}
}

// newTag returns a To tag: 64 random bits in hex (RFC 3261 §19.3 asks for
// at least 32).
func newTag() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// insertToTag appends ";tag=<tag>" to the To header field of a message
// whose headers have been parsed (so the header section is known to be
// well formed). Folded lines (RFC 3261 §7.3.1) stay part of the field.
func insertToTag(data []byte, tag string) []byte {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		end = bytes.Index(data, []byte("\n\n"))
	}
	if end < 0 {
		return data
	}
	insertAt := -1
	inTo := false
	for pos := 0; pos <= end; {
		nl := bytes.IndexByte(data[pos:], '\n')
		if nl < 0 {
			break
		}
		lineEnd := pos + nl // index of '\n'
		line := data[pos:lineEnd]
		folded := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		switch {
		case folded && inTo:
			insertAt = contentEnd(data, pos, lineEnd)
		case folded:
		default:
			inTo = false
			if name, _, ok := bytes.Cut(line, []byte(":")); ok && pos > 0 {
				n := strings.ToLower(strings.TrimSpace(string(name)))
				if n == "to" || n == "t" {
					if insertAt >= 0 {
						return data // two To fields: leave it to sipgo
					}
					inTo = true
					insertAt = contentEnd(data, pos, lineEnd)
				}
			}
		}
		pos = lineEnd + 1
	}
	if insertAt < 0 {
		return data
	}
	out := make([]byte, 0, len(data)+len(tag)+5)
	out = append(out, data[:insertAt]...)
	out = append(out, ";tag="...)
	out = append(out, tag...)
	return append(out, data[insertAt:]...)
}

// contentEnd is the index just after the last non-blank byte of the line
// data[start:nl] (nl indexes its '\n').
func contentEnd(data []byte, start, nl int) int {
	i := nl
	for i > start && (data[i-1] == '\r' || data[i-1] == ' ' || data[i-1] == '\t') {
		i--
	}
	return i
}

// useToTag makes the dialog sipgo created for req use the tag the filter
// wrote into req (ReadInvite replaces it with one of its own), or records
// sipgo's tag when the filter could not tag req.
func (ua *UA) useToTag(req *sip.Request, ss *sipgo.DialogServerSession) {
	inv := ss.InviteRequest
	tag := ua.toTags.claim(req)
	if tag == "" {
		own, _ := inv.To().Params.Get("tag")
		ua.toTags.adopt(req, own)
		return
	}
	inv.To().Params.Add("tag", tag)
	if id, err := sip.DialogIDFromRequestUAS(inv); err == nil {
		ss.ID = id
	}
}
