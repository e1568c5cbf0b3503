package wazo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// wazo-dird, the directory service (docs/wazo-protocol.md, wazo-dird
// (directory); upstream wazo_dird/plugins/default_json/http.py and
// plugins/personal/http.py).
const dirdPrefix = "/api/dird/0.1"

// DefaultDirectoryProfile is the profile wazo-dird creates for every
// tenant (wazo_dird/plugins/config_service/plugin.py
// _auto_create_profile); the SDK's dird.search passes it as "context".
const DefaultDirectoryProfile = "default"

// DirectoryRelations are a result's links (wazo_dird/plugins/
// source_result.py): source_entry_id is the id favourites use.
type DirectoryRelations struct {
	XivoID        *string `json:"xivo_id"`
	AgentID       *int    `json:"agent_id"`
	UserID        *int    `json:"user_id"`
	UserUUID      *string `json:"user_uuid"`
	EndpointID    *int    `json:"endpoint_id"`
	SourceEntryID *string `json:"source_entry_id"`
}

// DirectoryResult is one row: its values in the display's column order.
type DirectoryResult struct {
	ColumnValues []any              `json:"column_values"`
	Relations    DirectoryRelations `json:"relations"`
	Source       string             `json:"source"`
	Backend      string             `json:"backend"`
}

// DirectoryResults is a lookup, favourites or personal answer
// (_ResultFormatter.format_results). Column types are the display's
// ("name", "number", "favorite", "email" … or null).
type DirectoryResults struct {
	ColumnHeaders []string          `json:"column_headers"`
	ColumnTypes   []*string         `json:"column_types"`
	Results       []DirectoryResult `json:"results"`
	Term          string            `json:"term,omitempty"`
}

// DirectoryReverse is the reverse lookup answer (Reverse.get): Display is
// the matched entry's "reverse" field, nil when no entry has the number.
type DirectoryReverse struct {
	Display *string        `json:"display"`
	Exten   string         `json:"exten"`
	Fields  map[string]any `json:"fields"`
	Source  *string        `json:"source"`
}

// DirectoryLookup searches every source of profile for term (GET
// /directories/lookup/{profile}?term=; ACL
// dird.directories.lookup.{profile}.read).
func (c *Client) DirectoryLookup(ctx context.Context, profile, term string) (DirectoryResults, error) {
	var out DirectoryResults
	_, err := c.do(ctx, request{method: http.MethodGet, path: dirdPrefix + "/directories/lookup/" + url.PathEscape(profile),
		query: url.Values{"term": {term}}, auth: true, out: &out})
	return out, err
}

// DirectoryReverseLookup names a number for userUUID (GET
// /directories/reverse/{profile}/{user_uuid}?exten=; ACL
// dird.directories.reverse.{profile}.{user_uuid}.read, which the default
// policy grants through dird.#.me.read).
func (c *Client) DirectoryReverseLookup(ctx context.Context, profile, userUUID, exten string) (DirectoryReverse, error) {
	var out DirectoryReverse
	_, err := c.do(ctx, request{method: http.MethodGet,
		path:  dirdPrefix + "/directories/reverse/" + url.PathEscape(profile) + "/" + url.PathEscape(userUUID),
		query: url.Values{"exten": {exten}}, auth: true, out: &out})
	return out, err
}

// DirectoryFavorites lists the user's favourites (GET
// /directories/favorites/{profile}).
func (c *Client) DirectoryFavorites(ctx context.Context, profile string) (DirectoryResults, error) {
	var out DirectoryResults
	_, err := c.do(ctx, request{method: http.MethodGet, path: dirdPrefix + "/directories/favorites/" + url.PathEscape(profile),
		auth: true, out: &out})
	return out, err
}

// SetDirectoryFavorite adds (PUT) or removes (DELETE)
// /directories/favorites/{source}/{source_entry_id}. Adding one twice is
// 409, removing an absent one 404 (both *APIError).
func (c *Client) SetDirectoryFavorite(ctx context.Context, source, entryID string, favorite bool) error {
	method := http.MethodDelete
	if favorite {
		method = http.MethodPut
	}
	_, err := c.do(ctx, request{method: method,
		path: dirdPrefix + "/directories/favorites/" + url.PathEscape(source) + "/" + url.PathEscape(entryID), auth: true})
	return err
}

// PersonalContact is one of the user's personal contacts (GET /personal):
// free-form fields, the SDK's being firstname, lastname, number, mobile,
// email, entreprise (sic), birthday, address, note.
type PersonalContact map[string]string

// PersonalContacts lists them (GET /personal → {"items": […]}; ACL
// dird.personal.read).
func (c *Client) PersonalContacts(ctx context.Context) ([]PersonalContact, error) {
	var raw struct {
		Items []map[string]any `json:"items"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: dirdPrefix + "/personal", auth: true, out: &raw}); err != nil {
		return nil, err
	}
	out := make([]PersonalContact, 0, len(raw.Items))
	for _, it := range raw.Items {
		pc := PersonalContact{}
		for k, v := range it {
			if v != nil {
				pc[k] = fmt.Sprint(v)
			}
		}
		out = append(out, pc)
	}
	return out, nil
}

// DirectoryNumber is one number column of a result.
type DirectoryNumber struct {
	Label string // the column's title ("Numéro", "Mobile")
	Value string
}

// DirectoryEntry is a result read through its display's column types.
type DirectoryEntry struct {
	Name     string
	Company  string
	Email    string
	Numbers  []DirectoryNumber
	Favorite bool
	Personal bool
	Source   string // the source's name ("phonebook", "personal" …)
	Backend  string // its backend ("phonebook", "wazo", "personal" …)
	EntryID  string // relations.source_entry_id, "" when the source has none
	UserUUID string // relations.user_uuid for a Wazo user
}

// companyTitles are the column titles taken for a contact's company: the
// default display has no company column, an administrator adds one with
// no type, titled in the tenant's language.
var companyTitles = map[string]bool{"company": true, "entreprise": true, "société": true, "societe": true,
	"organisation": true, "organization": true, "organisme": true}

// Entries reads every result through the column types: "name" (or
// "firstname" + "lastname"), "number" and the old "callable"/"mobile",
// "email", "favorite", "personal"; a company column by its title.
func (r DirectoryResults) Entries() []DirectoryEntry {
	out := make([]DirectoryEntry, 0, len(r.Results))
	for _, res := range r.Results {
		e := DirectoryEntry{Source: res.Source, Backend: res.Backend}
		if p := res.Relations.SourceEntryID; p != nil {
			e.EntryID = *p
		}
		if p := res.Relations.UserUUID; p != nil {
			e.UserUUID = *p
		}
		var first, last string
		for i, v := range res.ColumnValues {
			typ, title := "", ""
			if i < len(r.ColumnTypes) && r.ColumnTypes[i] != nil {
				typ = *r.ColumnTypes[i]
			}
			if i < len(r.ColumnHeaders) {
				title = r.ColumnHeaders[i]
			}
			s := valueText(v)
			switch {
			case typ == "favorite":
				e.Favorite, _ = v.(bool)
			case typ == "personal":
				e.Personal, _ = v.(bool)
			case s == "":
			case typ == "name":
				e.Name = s
			case typ == "firstname":
				first = s
			case typ == "lastname":
				last = s
			case typ == "number" || typ == "callable" || typ == "mobile":
				e.Numbers = append(e.Numbers, DirectoryNumber{Label: title, Value: s})
			case typ == "email":
				e.Email = s
			case typ == "" && companyTitles[strings.ToLower(strings.TrimSpace(title))]:
				e.Company = s
			}
		}
		if e.Name == "" {
			e.Name = strings.TrimSpace(first + " " + last)
		}
		if res.Backend == "personal" {
			e.Personal = true
		}
		out = append(out, e)
	}
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case float64, bool, json.Number:
		return fmt.Sprint(x)
	}
	return ""
}
