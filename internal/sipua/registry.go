package sipua

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// dialogKey identifies a dialog from our side (RFC 3261 §12): Call-ID, the
// local tag and the remote tag.
type dialogKey struct {
	CallID, LocalTag, RemoteTag string
}

// Registry routes in-dialog requests to their Dialog. It is safe for
// concurrent use; lookups never call into dialogs while holding its lock.
type Registry struct {
	mu      sync.RWMutex
	dialogs map[dialogKey]*Dialog
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{dialogs: make(map[dialogKey]*Dialog)}
}

// Add registers d under its current key. A dialog with the same key is
// replaced (it can only be a stale entry: tags are random).
func (r *Registry) Add(d *Dialog) {
	k := d.key()
	r.mu.Lock()
	r.dialogs[k] = d
	r.mu.Unlock()
}

// Remove deletes d if it is still the entry for its key.
func (r *Registry) Remove(d *Dialog) {
	k := d.key()
	r.mu.Lock()
	if r.dialogs[k] == d {
		delete(r.dialogs, k)
	}
	r.mu.Unlock()
}

// Lookup finds a dialog by its identifiers.
func (r *Registry) Lookup(callID, localTag, remoteTag string) *Dialog {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.dialogs[dialogKey{callID, localTag, remoteTag}]
}

// Match finds the dialog an incoming in-dialog request belongs to: for a
// request we receive, the To tag is ours and the From tag is the peer's.
// It returns nil for out-of-dialog or unknown requests (never panics on
// missing headers).
func (r *Registry) Match(req *sip.Request) *Dialog {
	callID, local, remote, ok := requestTags(req)
	if !ok {
		return nil
	}
	return r.Lookup(callID, local, remote)
}

// MatchAck finds the dialog of an ACK whose To tag is not the dialog's. A
// caller may build the ACK of our 2xx from the To tag of another response
// to the same INVITE, typically the 200 to a CANCEL that crossed our answer,
// sent by a proxy or by a stack that tags it afresh (RFC 3261 §9.2 only
// says SHOULD). The Call-ID, the caller's From tag and the CSeq of an
// INVITE whose 2xx still waits for its ACK identify the dialog all the
// same; without such a match the 2xx would be retransmitted for 64×T1 and
// the call dropped.
func (r *Registry) MatchAck(req *sip.Request) *Dialog {
	if req == nil || req.CallID() == nil || req.From() == nil || req.CSeq() == nil {
		return nil
	}
	callID := string(*req.CallID())
	remote, _ := req.From().Params.Get("tag")
	if remote == "" {
		return nil
	}
	seq := req.CSeq().SeqNo
	for _, d := range r.All() {
		if d.caller || d.callID != callID || d.RemoteTag() != remote {
			continue
		}
		if d.awaitsAck(seq) {
			return d
		}
	}
	return nil
}

// MatchResponse finds the dialog a response to one of our requests belongs
// to (From tag ours, To tag the peer's).
func (r *Registry) MatchResponse(res *sip.Response) *Dialog {
	if res == nil {
		return nil
	}
	cid, from, to := res.CallID(), res.From(), res.To()
	if cid == nil || from == nil || to == nil {
		return nil
	}
	lt, _ := from.Params.Get("tag")
	rt, _ := to.Params.Get("tag")
	if lt == "" || rt == "" {
		return nil
	}
	return r.Lookup(string(*cid), lt, rt)
}

// Len returns the number of dialogs.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.dialogs)
}

// All returns a snapshot of the registered dialogs.
func (r *Registry) All() []*Dialog {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Dialog, 0, len(r.dialogs))
	for _, d := range r.dialogs {
		out = append(out, d)
	}
	return out
}

// requestTags extracts Call-ID, To tag (local) and From tag (remote) from
// a received request. ok is false when any is missing.
func requestTags(req *sip.Request) (callID, local, remote string, ok bool) {
	if req == nil {
		return "", "", "", false
	}
	cid, from, to := req.CallID(), req.From(), req.To()
	if cid == nil || from == nil || to == nil {
		return "", "", "", false
	}
	local, _ = to.Params.Get("tag")
	remote, _ = from.Params.Get("tag")
	if local == "" || remote == "" || *cid == "" {
		return "", "", "", false
	}
	return string(*cid), local, remote, true
}
