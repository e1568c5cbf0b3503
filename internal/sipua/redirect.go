package sipua

import (
	"slices"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// isRedirect reports whether a final response is a redirect Dial may follow
// (RFC 3261 §21.3). 305 Use Proxy and 380 Alternative Service are not
// followed: a UA must not take a proxy from an unauthenticated response
// (RFC 3261 §8.1.3.4 leaves 305 to local policy; RFC 3261 §21.3.5 says it
// was misused), and 380 describes a service, not a target.
func isRedirect(code int) bool { return code == 300 || code == 301 || code == 302 }

// targetSet is the target set of one outgoing call (RFC 3261 §8.1.3.4): the
// Contacts of every 3xx, tried highest q first, each at most once (a target
// already tried or queued is skipped: that is the loop detection), at most
// max redirects per Dial.
type targetSet struct {
	max     int
	hops    int
	seen    map[string]bool
	pending []redirectTarget
}

type redirectTarget struct {
	uri sip.Uri
	q   float64
}

func newTargetSet(first sip.Uri, max int) *targetSet {
	ts := &targetSet{max: max, seen: map[string]bool{}}
	ts.seen[targetKey(first)] = true
	return ts
}

// add queues the Contacts of a 3xx in q order (RFC 3261 §8.1.3.4, q
// defaults to 1.0; equal q keeps the response's order).
func (ts *targetSet) add(res *sip.Response) {
	var fresh []redirectTarget
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.Wildcard || (c.Address.Scheme != "sip" && c.Address.Scheme != "sips") || c.Address.Host == "" {
			continue
		}
		u := *c.Address.Clone()
		// §8.1.3.4: copy the entire URI except method-param and headers.
		if u.UriParams != nil {
			u.UriParams.Remove("method")
		}
		u.Headers = nil
		key := targetKey(u)
		if ts.seen[key] {
			continue
		}
		ts.seen[key] = true
		q := 1.0
		if v, ok := c.Params.Get("q"); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		fresh = append(fresh, redirectTarget{uri: u, q: q})
	}
	ts.pending = append(ts.pending, fresh...)
	slices.SortStableFunc(ts.pending, func(a, b redirectTarget) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
}

// next returns the next target to try, or false when the set is empty or
// the hop limit is reached.
func (ts *targetSet) next() (sip.Uri, bool) {
	if len(ts.pending) == 0 || ts.hops >= ts.max {
		return sip.Uri{}, false
	}
	t := ts.pending[0]
	ts.pending = ts.pending[1:]
	ts.hops++
	return t.uri, true
}

// targetKey compares URIs as RFC 3261 §19.1.4 roughly does: scheme, user
// and port exactly, host case-insensitively, parameters ignored.
func targetKey(u sip.Uri) string {
	port := u.Port
	if port == 0 {
		port = 5060
		if u.Scheme == "sips" {
			port = 5061
		}
	}
	return u.Scheme + ":" + u.User + "@" + strings.ToLower(u.Host) + ":" + strconv.Itoa(port)
}

// redirectContacts lists a 3xx's Contacts as URIs, for messages.
func redirectContacts(res *sip.Response) []string {
	var out []string
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok && !c.Address.Wildcard {
			out = append(out, c.Address.String())
		}
	}
	return out
}
