package contacts

import (
	"slices"
	"strings"
)

// Hit is one search result: the contact, the number that matched (zero if
// the match was on the name), and a score (higher is better) that orders
// the results.
type Hit struct {
	Contact Contact
	Number  Number
	Score   int
}

// Scores. Names: the whole name starting with the query beats a later word
// starting with it, which beats the query anywhere in it. Numbers: the same
// line in another form (Dialling.Match) beats a number starting with the
// digits typed, which beats the digits anywhere in it.
const (
	scoreNumberSame     = 100
	scoreNamePrefix     = 90
	scoreNumberPrefix   = 80
	scoreNameWordPrefix = 75
	scoreNumberContains = 60
	scoreNameContains   = 50
	scoreCompanyWord    = 40
	scoreOtherContains  = 30
)

// Search returns up to limit contacts (all if limit <= 0) matching what was
// typed in the dial field, best first, ties by name. A query made of digits
// and number separators matches numbers (formatting ignored, national and
// international forms alike); any query matches names, companies and SIP
// addresses, case and accents ignored.
func (b *Book) Search(query string, limit int) []Hit {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}
	fq := fold(q)
	dq := digitsOnly(q)
	numeric := dq != "" && isDialString(q)
	cq := b.cfg.Dialling.Canonical(q)

	b.mu.RLock()
	defer b.mu.RUnlock()
	var hits []Hit
	for i, c := range b.contacts {
		ix := &b.index[i]
		h := Hit{Contact: c}
		if numeric {
			for j, n := range c.Numbers {
				if s := b.numberScore(ix.numbers[j], dq, cq); s > h.Score {
					h.Score, h.Number = s, n
				}
			}
		}
		if s := textScore(ix, fq); s > h.Score {
			h.Score, h.Number = s, Number{}
		}
		if h.Score > 0 {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(x, y Hit) int { return y.Score - x.Score })
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	for i := range hits { // the caller's copies, not the book's slices
		hits[i].Contact = cloneContact(hits[i].Contact)
	}
	return hits
}

func (b *Book) numberScore(n numberForms, dq, cq string) int {
	if len(dq) >= minNational && b.cfg.Dialling.matchCanonical(n.canon, cq) != MatchNone {
		return scoreNumberSame
	}
	best := 0
	for _, f := range [...]string{n.written, n.canonDigits, n.national} {
		if f == "" {
			continue
		}
		switch {
		case strings.HasPrefix(f, dq):
			return scoreNumberPrefix
		case strings.Contains(f, dq):
			best = scoreNumberContains
		}
	}
	return best
}

func textScore(ix *indexed, fq string) int {
	name := ix.name
	switch {
	case strings.HasPrefix(name, fq):
		return scoreNamePrefix
	case wordPrefix(name, fq):
		return scoreNameWordPrefix
	case strings.Contains(name, fq):
		return scoreNameContains
	}
	company := ix.company
	switch {
	case strings.HasPrefix(company, fq), wordPrefix(company, fq):
		return scoreCompanyWord
	case strings.Contains(company, fq), strings.Contains(ix.sip, fq):
		return scoreOtherContains
	}
	return 0
}

// wordPrefix reports whether a word of s after the first starts with q.
func wordPrefix(s, q string) bool {
	for i := 1; i < len(s); i++ {
		if strings.ContainsRune(" -'.,(/", rune(s[i-1])) && strings.HasPrefix(s[i:], q) {
			return true
		}
	}
	return false
}

// Lookup finds the contact a number belongs to, for showing a name on an
// incoming or outgoing call. number may be a number in any format or a SIP
// address. The rule (docs/history-and-contacts.md):
//
//  1. a contact whose number has the same canonical form
//     (Dialling.Canonical), or whose SIP address is the same address;
//  2. failing that, a contact whose number is the same line written
//     nationally vs internationally (MatchNational), if exactly one contact
//     has such a number: two candidates mean we cannot tell, and no name is
//     better than a wrong one.
//
// Extensions and short codes (under 6 digits) only match exactly.
func (b *Book) Lookup(number string) (Contact, Number, bool) {
	d := b.cfg.Dialling
	cq := d.Canonical(number)
	if cq == "" {
		return Contact{}, Number{}, false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	var weak []int
	var weakNum Number
	for i, c := range b.contacts {
		ix := &b.index[i]
		if c.SIP != "" && ix.sipCanon == cq {
			return cloneContact(c), Number{Label: "sip", Value: c.SIP}, true
		}
		for j, n := range c.Numbers {
			switch d.matchCanonical(ix.numbers[j].canon, cq) {
			case MatchExact:
				return cloneContact(c), n, true
			case MatchNational:
				if !slices.Contains(weak, i) {
					weak = append(weak, i)
					weakNum = n
				}
			}
		}
	}
	if len(weak) == 1 {
		return cloneContact(b.contacts[weak[0]]), weakNum, true
	}
	return Contact{}, Number{}, false
}
