package httpside

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-voip/parley/wazo/wire"
)

// The wazo-call-logd part of the stand-in: GET /users/me/cdr
// (wazo_call_logd/plugins/cdr/http.py CDRUserMeResource, schemas.py
// CDRSchema and CDRListRequestSchema; docs/wazo-protocol.md,
// wazo-call-logd (call history)). Its CDRs are made from the calls the call
// model handled: when a user's channel ends (call_ended on the bus), the
// conversation's CDR is written or completed, as call-logd does after
// Asterisk's CEL of the call; seeded CDRs stand for older calls.

const callLogdPrefix = "/api/call-logd/1.0"

// cdrTimeFormat is marshmallow's DateTime ISO 8601 output.
const cdrTimeFormat = "2006-01-02T15:04:05.000000+00:00"

// CDR is one call-logd CDR, with upstream's field names. Times are UTC.
type CDR struct {
	ID                   int
	Start                time.Time
	Answer               time.Time // zero: not answered
	End                  time.Time
	CallDirection        string // internal, inbound, outbound
	ConversationID       string
	SourceName           string
	SourceExtension      string
	SourceUserUUID       string
	SourceLineID         int
	DestinationName      string
	DestinationExtension string
	DestinationUserUUID  string
	DestinationLineID    int
	RequestedExtension   string
}

// cdrStore keeps the CDRs; safe for concurrent use.
type cdrStore struct {
	mu     sync.Mutex
	nextID int
	cdrs   []*CDR
	byConv map[string]*CDR
}

func newCDRStore() *cdrStore { return &cdrStore{byConv: map[string]*CDR{}} }

// AddCDR stores a CDR (an older call); its ID is assigned when zero. It
// returns the stored CDR.
func (s *Side) AddCDR(c CDR) CDR {
	st := s.cdrs
	st.mu.Lock()
	defer st.mu.Unlock()
	st.nextID++
	if c.ID == 0 {
		c.ID = st.nextID
	} else if c.ID >= st.nextID {
		st.nextID = c.ID
	}
	cp := c
	st.cdrs = append(st.cdrs, &cp)
	return cp
}

// CDRs returns a copy of every CDR, oldest first.
func (s *Side) CDRs() []CDR {
	st := s.cdrs
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]CDR, len(st.cdrs))
	for i, c := range st.cdrs {
		out[i] = *c
	}
	return out
}

func parseCalldTime(p *string) time.Time {
	if p == nil {
		return time.Time{}
	}
	// calld writes creation_time/answer_time as ….000+0000 and call_ended's
	// hangup_time in Python's isoformat, ….000000+00:00 (callmodel).
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05.999999-07:00"} {
		if t, err := time.Parse(layout, *p); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// onBusEvent records call_ended into the conversation's CDR. It runs under
// the call model's lock: it only touches the store.
func (st *cdrStore) onBusEvent(ev BusEvent) {
	if ev.Name != "call_ended" {
		return
	}
	var c wire.Call
	if json.Unmarshal(ev.Data, &c) != nil || c.UserUUID == nil || *c.UserUUID == "" {
		return
	}
	// call_ended describes the dead channel as calld does: caller and peer
	// swapped (callmodel emitEnded). The CDR wants them as the call had them.
	c.CallerIDName, c.PeerCallerIDName = c.PeerCallerIDName, c.CallerIDName
	c.CallerIDNumber, c.PeerCallerIDNumber = c.PeerCallerIDNumber, c.CallerIDNumber
	user := *c.UserUUID
	conv := c.CallID
	if c.ConversationID != nil && *c.ConversationID != "" {
		conv = *c.ConversationID
	}
	lineID := 0
	if c.LineID != nil {
		lineID = *c.LineID
	}
	start, answer, end := parseCalldTime(c.CreationTime), parseCalldTime(c.AnswerTime), parseCalldTime(c.HangupTime)
	st.mu.Lock()
	defer st.mu.Unlock()
	cdr := st.byConv[conv]
	if cdr == nil {
		st.nextID++
		cdr = &CDR{ID: st.nextID, ConversationID: conv, Start: start, End: end, CallDirection: c.Direction}
		if cdr.CallDirection == "" {
			cdr.CallDirection = "internal"
		}
		st.byConv[conv] = cdr
		st.cdrs = append(st.cdrs, cdr)
	}
	if !start.IsZero() && (cdr.Start.IsZero() || start.Before(cdr.Start)) {
		cdr.Start = start
	}
	if end.After(cdr.End) {
		cdr.End = end
	}
	if !answer.IsZero() && (cdr.Answer.IsZero() || answer.Before(cdr.Answer)) {
		cdr.Answer = answer
	}
	if c.IsCaller {
		cdr.SourceUserUUID, cdr.SourceLineID = user, lineID
		cdr.SourceName, cdr.SourceExtension = c.CallerIDName, c.CallerIDNumber
		if cdr.DestinationUserUUID == "" {
			cdr.DestinationName, cdr.DestinationExtension = c.PeerCallerIDName, c.PeerCallerIDNumber
		}
		if c.DialedExtension != nil {
			cdr.RequestedExtension = *c.DialedExtension
		}
	} else {
		cdr.DestinationUserUUID, cdr.DestinationLineID = user, lineID
		cdr.DestinationName, cdr.DestinationExtension = c.CallerIDName, c.CallerIDNumber
		if cdr.SourceUserUUID == "" {
			cdr.SourceName, cdr.SourceExtension = c.PeerCallerIDName, c.PeerCallerIDNumber
		}
	}
}

func cdrTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(cdrTimeFormat)
}

func nullableUUID(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableInt(i int) any {
	if i == 0 {
		return nil
	}
	return i
}

// cdrJSON is CDRSchema's dump (without tags: /users/me/cdr excludes them).
func (s *Side) cdrJSON(c CDR, tenant string) map[string]any {
	var duration any
	if !c.Answer.IsZero() && !c.End.IsZero() {
		duration = max(int(c.End.Sub(c.Answer).Seconds()), 0)
	}
	status := "unknown"
	if !c.Answer.IsZero() {
		status = "answered"
	}
	destDetails := map[string]any{"type": "unknown"}
	if c.DestinationUserUUID != "" {
		destDetails = map[string]any{"type": "user", "user_uuid": c.DestinationUserUUID, "user_name": c.DestinationName}
	}
	return map[string]any{
		"id":                             c.ID,
		"tenant_uuid":                    tenant,
		"start":                          cdrTime(c.Start),
		"end":                            cdrTime(c.End),
		"answered":                       !c.Answer.IsZero(),
		"answer":                         cdrTime(c.Answer),
		"duration":                       duration,
		"call_direction":                 c.CallDirection,
		"call_status":                    status,
		"conversation_id":                c.ConversationID,
		"destination_details":            destDetails,
		"destination_extension":          c.DestinationExtension,
		"destination_internal_context":   nil,
		"destination_internal_extension": nil,
		"destination_line_id":            nullableInt(c.DestinationLineID),
		"destination_name":               c.DestinationName,
		"destination_user_uuid":          nullableUUID(c.DestinationUserUUID),
		"requested_name":                 c.DestinationName,
		"requested_context":              nil,
		"requested_extension":            c.RequestedExtension,
		"requested_internal_context":     nil,
		"requested_internal_extension":   nil,
		"requested_user_uuid":            nullableUUID(c.DestinationUserUUID),
		"source_extension":               c.SourceExtension,
		"source_internal_context":        nil,
		"source_internal_name":           nil,
		"source_internal_extension":      nil,
		"source_line_id":                 nullableInt(c.SourceLineID),
		"source_name":                    c.SourceName,
		"source_user_uuid":               nullableUUID(c.SourceUserUUID),
		"recordings":                     []any{},
	}
}

func (s *Side) callLogdRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+callLogdPrefix+"/users/me/cdr", s.calldHandler(fixedACL("call-logd.users.me.cdr.read"), s.listMyCDRs))
}

var cdrNumber = regexp.MustCompile(`^_?[0-9]+_?$`)

// listMyCDRs is GET /users/me/cdr: the CDRs where the token's user is the
// source or the destination, filtered (from, until, search, call_direction,
// number), sorted (order, direction), distinct=peer_exten, then offset and
// limit; {"items", "total", "filtered"}.
func (s *Side) listMyCDRs(w http.ResponseWriter, r *http.Request, t *token) error {
	q := r.URL.Query()
	limit, offset := 1000, 0
	for name, dst := range map[string]*int{"limit": &limit, "offset": &offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fieldError(name, "type", "Not a valid integer.")
			}
			if n < 0 {
				return fieldError(name, "range", "Must be greater than or equal to 0.")
			}
			*dst = n
		}
	}
	direction := q.Get("direction")
	if direction == "" {
		direction = "desc"
	}
	if direction != "asc" && direction != "desc" {
		return fieldError("direction", "oneof", "Must be one of: asc, desc.")
	}
	order := q.Get("order")
	if order == "" {
		order = "start"
	}
	if !slices.Contains([]string{"start", "id", "answer", "duration", "source_name", "destination_name"}, order) {
		return fieldError("order", "oneof", "Not a valid choice.")
	}
	var from, until time.Time
	for name, dst := range map[string]*time.Time{"from": &from, "until": &until} {
		if v := q.Get(name); v != "" {
			tt, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				// marshmallow also takes a naive ISO 8601 time (UTC here).
				if tt, err = time.Parse("2006-01-02T15:04:05", v); err != nil {
					return fieldError(name, "type", "Not a valid datetime.")
				}
			}
			*dst = tt
		}
	}
	callDir := q.Get("call_direction")
	if callDir != "" && !slices.Contains([]string{"internal", "inbound", "outbound"}, callDir) {
		return fieldError("call_direction", "oneof", "Must be one of: internal, inbound, outbound.")
	}
	number := q.Get("number")
	if number != "" && !cdrNumber.MatchString(number) {
		return fieldError("number", "regex", "String does not match expected pattern.")
	}
	distinct := q.Get("distinct")
	if distinct != "" && distinct != "peer_exten" {
		return fieldError("distinct", "oneof", "Must be one of: peer_exten.")
	}
	search := strings.ToLower(q.Get("search"))

	me := t.UserUUID
	var mine []CDR
	for _, c := range s.CDRs() {
		if c.SourceUserUUID == me || c.DestinationUserUUID == me {
			mine = append(mine, c)
		}
	}
	total := len(mine)
	var kept []CDR
	for _, c := range mine {
		switch {
		case !from.IsZero() && c.Start.Before(from):
			continue
		case !until.IsZero() && !c.Start.Before(until):
			continue
		case callDir != "" && c.CallDirection != callDir:
			continue
		case number != "" && !numberMatches(number, c.SourceExtension, c.DestinationExtension):
			continue
		case search != "" && !slices.ContainsFunc([]string{c.SourceName, c.SourceExtension, c.DestinationName, c.DestinationExtension},
			func(v string) bool { return strings.Contains(strings.ToLower(v), search) }):
			continue
		}
		kept = append(kept, c)
	}
	key := func(c CDR) string {
		switch order {
		case "id":
			return strconv.Itoa(1e9 + c.ID)
		case "answer":
			return c.Answer.Format(time.RFC3339Nano)
		case "duration":
			d := time.Duration(0)
			if !c.Answer.IsZero() {
				d = c.End.Sub(c.Answer)
			}
			return strconv.FormatInt(int64(d)+1e15, 10)
		case "source_name":
			return c.SourceName
		case "destination_name":
			return c.DestinationName
		}
		return c.Start.Format("2006-01-02T15:04:05.000000000")
	}
	slices.SortStableFunc(kept, func(a, b CDR) int {
		r := strings.Compare(key(a), key(b))
		if r == 0 {
			r = a.ID - b.ID
		}
		if direction == "desc" {
			return -r
		}
		return r
	})
	if distinct == "peer_exten" {
		// The newest CDR per peer extension (the other party's, from the
		// user's side), as call_log.py's distinct query keeps.
		seen := map[string]bool{}
		byNewest := slices.Clone(kept)
		slices.SortStableFunc(byNewest, func(a, b CDR) int { return b.Start.Compare(a.Start) })
		keep := map[int]bool{}
		for _, c := range byNewest {
			peer := c.DestinationExtension
			if c.DestinationUserUUID == me {
				peer = c.SourceExtension
			}
			if !seen[peer] {
				seen[peer] = true
				keep[c.ID] = true
			}
		}
		kept = slices.DeleteFunc(kept, func(c CDR) bool { return !keep[c.ID] })
	}
	filtered := len(kept)
	if offset > len(kept) {
		offset = len(kept)
	}
	kept = kept[offset:]
	if limit < len(kept) {
		kept = kept[:limit]
	}
	items := make([]map[string]any, len(kept))
	for i, c := range kept {
		items[i] = s.cdrJSON(c, t.TenantUUID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "filtered": filtered})
	return nil
}

// numberMatches is call-logd's number filter: digits, with "_" at either
// end meaning "anything before/after".
func numberMatches(pattern string, extens ...string) bool {
	core := strings.Trim(pattern, "_")
	for _, e := range extens {
		switch {
		case strings.HasPrefix(pattern, "_") && strings.HasSuffix(pattern, "_"):
			if strings.Contains(e, core) {
				return true
			}
		case strings.HasPrefix(pattern, "_"):
			if strings.HasSuffix(e, core) {
				return true
			}
		case strings.HasSuffix(pattern, "_"):
			if strings.HasPrefix(e, core) {
				return true
			}
		case e == core:
			return true
		}
	}
	return false
}
