package history

import (
	"slices"
	"strings"
	"time"
)

// MergeWindow is how far apart the starts of the same call may be in the
// local history and in a server's call log: the two clocks and the moments
// each side stamps (INVITE sent or received, channel created) differ by a
// few seconds at most.
const MergeWindow = 10 * time.Second

// Merged is one call of a merged history: Entry is the local entry when
// this phone recorded the call (Local), else the server's; Server says the
// server's call log has it too.
type Merged struct {
	Entry  Entry
	Local  bool
	Server bool
}

// Merge makes one list, newest first, of the local entries and those of a
// server's call log (Source SourceWazo), each call once. A server entry is
// the same call as a local one when
//
//  1. the local entry's ServerCallID (the calld call id of our leg) is the
//     server entry's ServerCallID (call-logd's conversation_id, the linkedid,
//     which is the call id of the leg that started the call), or else
//  2. both have the same direction, the same other party (numbers compared
//     by their digits) and starts at most window apart (MergeWindow when
//     window ≤ 0).
//
// Each server entry matches at most one local entry and the other way
// round; the local entry is kept (it knows how the call ended here).
// A call still in progress is listed and matched with nothing (the
// server logs a call once it has ended).
func Merge(local, server []Entry, window time.Duration) []Merged {
	if window <= 0 {
		window = MergeWindow
	}
	out := make([]Merged, 0, len(local)+len(server))
	used := make([]bool, len(server))
	for _, l := range local {
		m := Merged{Entry: l, Local: true}
		if l.State != StateEnded {
			out = append(out, m)
			continue
		}
		if i := matchServer(l, server, used, window); i >= 0 {
			used[i], m.Server = true, true
		}
		out = append(out, m)
	}
	for i, s := range server {
		if !used[i] {
			out = append(out, Merged{Entry: s, Server: true})
		}
	}
	slices.SortStableFunc(out, func(a, b Merged) int { return b.Entry.StartTime.Compare(a.Entry.StartTime) })
	return out
}

func matchServer(l Entry, server []Entry, used []bool, window time.Duration) int {
	if l.ServerCallID != "" {
		for i, s := range server {
			if !used[i] && s.ServerCallID == l.ServerCallID {
				return i
			}
		}
	}
	best, bestGap := -1, window+1
	for i, s := range server {
		if used[i] || s.Direction != l.Direction || !sameParty(s.Number, l.Number) {
			continue
		}
		gap := s.StartTime.Sub(l.StartTime).Abs()
		if gap <= window && gap < bestGap {
			best, bestGap = i, gap
		}
	}
	return best
}

// sameParty compares two numbers by their digits (a SIP address or a
// name by its text, case ignored).
func sameParty(a, b string) bool {
	da, db := digitsOf(a), digitsOf(b)
	if da != "" && db != "" {
		return da == db
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func digitsOf(s string) string {
	if i := strings.Index(s, "@"); i >= 0 { // sip:1001@host → 1001
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
