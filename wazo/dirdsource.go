package wazo

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// DirdSource is one source of a dird profile (GET
// /directories/{profile}/sources, wazo-dird plugins/profile_sources).
type DirdSource struct {
	UUID       string `json:"uuid"`
	TenantUUID string `json:"tenant_uuid"`
	Name       string `json:"name"`
	Backend    string `json:"backend"`
}

// WazoContact is a user of the tenant as dird's "wazo" backend lists it
// (wazo-dird plugins/wazo_user_backend/schemas.py ContactSchema).
type WazoContact struct {
	ID                int    `json:"id"`
	UUID              string `json:"uuid"`
	Firstname         string `json:"firstname"`
	Lastname          string `json:"lastname"`
	Email             string `json:"email"`
	Exten             string `json:"exten"`
	MobilePhoneNumber string `json:"mobile_phone_number"`
	VoicemailNumber   string `json:"voicemail_number"`
}

// ProfileSources lists the sources of a dird profile (ACL
// dird.directories.{profile}.sources.read). The Wazo apps use the user's
// line context as the profile.
func (c *Client) ProfileSources(ctx context.Context, profile string) ([]DirdSource, error) {
	var out struct {
		Items []DirdSource `json:"items"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: dirdPrefix + "/directories/" + url.PathEscape(profile) + "/sources", auth: true, out: &out})
	return out.Items, err
}

// WazoSourceContacts lists a wazo source's users (GET
// /backends/wazo/sources/{uuid}/contacts, ACL
// dird.backends.wazo.sources.{uuid}.contacts.read). limit 0 means no
// limit.
func (c *Client) WazoSourceContacts(ctx context.Context, sourceUUID, search string, limit int) ([]WazoContact, error) {
	q := url.Values{}
	if search != "" {
		q.Set("search", search)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Items []WazoContact `json:"items"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: dirdPrefix + "/backends/wazo/sources/" + url.PathEscape(sourceUUID) + "/contacts", query: q, auth: true, out: &out})
	return out.Items, err
}
