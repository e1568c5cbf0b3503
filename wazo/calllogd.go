package wazo

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// wazo-call-logd, the server's call history (docs/wazo-protocol.md,
// wazo-call-logd (call history); upstream wazo_call_logd/plugins/cdr/
// http.py CDRUserMeResource, schemas.py CDRSchema).
const callLogdPrefix = "/api/call-logd/1.0"

// CDR is one call detail record as GET /users/me/cdr gives it (CDRSchema
// without tags). Times are ISO 8601 with an offset; nil when unknown.
type CDR struct {
	ID                   int        `json:"id"`
	TenantUUID           string     `json:"tenant_uuid"`
	Start                *time.Time `json:"start"`
	Answer               *time.Time `json:"answer"`
	End                  *time.Time `json:"end"`
	Answered             bool       `json:"answered"`
	Duration             *float64   `json:"duration"`       // seconds of talk, nil when not answered
	CallDirection        string     `json:"call_direction"` // "internal", "inbound", "outbound"
	CallStatus           string     `json:"call_status"`    // "answered", "voicemail", "blocked", "unknown"
	ConversationID       string     `json:"conversation_id"`
	SourceName           string     `json:"source_name"`
	SourceExtension      string     `json:"source_extension"`
	SourceUserUUID       *string    `json:"source_user_uuid"`
	SourceLineID         *int       `json:"source_line_id"`
	DestinationName      string     `json:"destination_name"`
	DestinationExtension string     `json:"destination_extension"`
	DestinationUserUUID  *string    `json:"destination_user_uuid"`
	DestinationLineID    *int       `json:"destination_line_id"`
	RequestedName        string     `json:"requested_name"`
	RequestedExtension   string     `json:"requested_extension"`
}

// CDRList is the listing: the page of items, how many CDRs the user has
// (total) and how many matched the filters (filtered).
type CDRList struct {
	Items    []CDR `json:"items"`
	Total    int   `json:"total"`
	Filtered int   `json:"filtered"`
}

// CDRQuery filters GET /users/me/cdr (CDRListRequestSchema). Zero fields
// are left out: the server's defaults are limit 1000, order start,
// direction desc.
type CDRQuery struct {
	Limit, Offset int
	Order         string // a CDR field, e.g. "start"
	Direction     string // "asc" or "desc"
	Search        string // in names and extensions
	From, Until   time.Time
	CallDirection string // "internal", "inbound", "outbound"
	Number        string // digits, "_" at either end for any prefix/suffix
	Distinct      string // "peer_exten": the last call with each party
}

func (q CDRQuery) values() url.Values {
	v := url.Values{}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("order", q.Order)
	set("direction", q.Direction)
	set("search", q.Search)
	set("call_direction", q.CallDirection)
	set("number", q.Number)
	set("distinct", q.Distinct)
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(time.RFC3339))
	}
	return v
}

// MyCDRs lists the signed-in user's calls (GET /users/me/cdr; ACL
// call-logd.users.me.cdr.read).
func (c *Client) MyCDRs(ctx context.Context, q CDRQuery) (CDRList, error) {
	var out CDRList
	_, err := c.do(ctx, request{method: http.MethodGet, path: callLogdPrefix + "/users/me/cdr", query: q.values(), auth: true, out: &out})
	return out, err
}
