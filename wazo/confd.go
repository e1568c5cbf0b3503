package wazo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const confdPrefix = "/api/confd/1.1"

// User is confd's user (docs/wazo-protocol.md, Lines and registration, the fields a softphone uses).
type User struct {
	UUID       string     `json:"uuid"`
	ID         int        `json:"id"`
	Firstname  string     `json:"firstname"`
	Lastname   string     `json:"lastname"`
	Email      *string    `json:"email"`
	Username   *string    `json:"username"`
	CallerID   *string    `json:"caller_id"`
	TenantUUID string     `json:"tenant_uuid"`
	Lines      []UserLine `json:"lines"`
	Forwards   struct {
		Busy          Forward `json:"busy"`
		NoAnswer      Forward `json:"noanswer"`
		Unconditional Forward `json:"unconditional"`
	} `json:"forwards"`
	Services struct {
		DND struct {
			Enabled bool `json:"enabled"`
		} `json:"dnd"`
	} `json:"services"`
}

// DisplayName is "Firstname Lastname", the SIP display name (docs/wazo-protocol.md, Lines and registration).
func (u User) DisplayName() string { return strings.TrimSpace(u.Firstname + " " + u.Lastname) }

// Forward is a confd forward setting.
type Forward struct {
	Enabled     bool    `json:"enabled"`
	Destination *string `json:"destination"`
}

// UserLine is a line in the user's "lines" list (LineListSchema).
type UserLine struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Context     string `json:"context"`
	Position    int    `json:"position"`
	EndpointSIP *struct {
		UUID  string `json:"uuid"`
		Label string `json:"label"`
		Name  string `json:"name"`
	} `json:"endpoint_sip"`
	EndpointSCCP   any         `json:"endpoint_sccp"`
	EndpointCustom any         `json:"endpoint_custom"`
	Extensions     []Extension `json:"extensions"`
}

// Extension is a line extension.
type Extension struct {
	ID      int    `json:"id"`
	Exten   string `json:"exten"`
	Context string `json:"context"`
}

// Options is a confd option list: [[key, value], …].
type Options [][]string

// Get returns the first value for key.
func (o Options) Get(key string) (string, bool) {
	for _, kv := range o {
		if len(kv) >= 2 && kv[0] == key {
			return kv[1], true
		}
	}
	return "", false
}

// Has reports whether [key, value] is present.
func (o Options) Has(key, value string) bool {
	for _, kv := range o {
		if len(kv) >= 2 && kv[0] == key && kv[1] == value {
			return true
		}
	}
	return false
}

// SIPEndpoint is the merged SIP endpoint (MergedEndpointSIPSchema, docs/wazo-protocol.md, Lines and registration).
type SIPEndpoint struct {
	UUID                   string  `json:"uuid"`
	TenantUUID             string  `json:"tenant_uuid"`
	Name                   string  `json:"name"`
	Label                  string  `json:"label"`
	AORSectionOptions      Options `json:"aor_section_options"`
	AuthSectionOptions     Options `json:"auth_section_options"`
	EndpointSectionOptions Options `json:"endpoint_section_options"`
	// Pre-20.13 engines put the credentials at top level (docs/wazo-protocol.md, Lines and registration).
	Username string `json:"username"`
	Secret   string `json:"secret"`
	Host     string `json:"host"`
}

// IsWebRTC: endpoint option ["webrtc","yes"] (SDK SipLine.isWebRtc).
func (e SIPEndpoint) IsWebRTC() bool { return e.EndpointSectionOptions.Has("webrtc", "yes") }

// Infos is confd /infos.
type Infos struct {
	UUID        string `json:"uuid"`
	WazoVersion string `json:"wazo_version"`
}

// WebRTCLine is the line the softphone registers with.
type WebRTCLine struct {
	LineID   int
	Username string // digest user (auth option "username")
	Password string // digest secret (auth option "password")
	// MediaAddress is endpoint option media_address ("" when absent).
	MediaAddress string
	DisplayName  string
	Extensions   []Extension
	Endpoint     SIPEndpoint
}

// User fetches the logged-in user (GET /users/{uuid}).
func (c *Client) User(ctx context.Context) (User, error) {
	s, ok := c.Session()
	if !ok {
		return User{}, ErrNotLoggedIn
	}
	var u User
	_, err := c.do(ctx, request{method: http.MethodGet, path: confdPrefix + "/users/" + url.PathEscape(s.UserUUID), auth: true, out: &u})
	return u, err
}

// Infos fetches GET /infos.
func (c *Client) Infos(ctx context.Context) (Infos, error) {
	var i Infos
	_, err := c.do(ctx, request{method: http.MethodGet, path: confdPrefix + "/infos", auth: true, out: &i})
	return i, err
}

// Lines returns the user's lines.
func (c *Client) Lines(ctx context.Context) ([]UserLine, error) {
	u, err := c.User(ctx)
	return u.Lines, err
}

// SIPEndpoint fetches the merged SIP endpoint of a line (docs/wazo-protocol.md, Lines and registration step 4).
func (c *Client) SIPEndpoint(ctx context.Context, lineID int) (SIPEndpoint, error) {
	s, ok := c.Session()
	if !ok {
		return SIPEndpoint{}, ErrNotLoggedIn
	}
	var e SIPEndpoint
	_, err := c.do(ctx, request{method: http.MethodGet,
		path:  fmt.Sprintf("%s/users/%s/lines/%d/associated/endpoints/sip", confdPrefix, url.PathEscape(s.UserUUID), lineID),
		query: url.Values{"view": {"merged"}}, auth: true, out: &e})
	return e, err
}

// WebRTCLine picks the first SIP line whose merged endpoint options hold
// ["webrtc","yes"] and returns its credentials (SDK Phone.connect, docs/wazo-protocol.md, Lines and registration).
// 404s (SCCP/custom lines) are skipped. No such line → ErrNoWebRTCLine.
func (c *Client) WebRTCLine(ctx context.Context) (WebRTCLine, error) {
	u, err := c.User(ctx)
	if err != nil {
		return WebRTCLine{}, err
	}
	for _, l := range u.Lines {
		if l.EndpointSCCP != nil || l.EndpointCustom != nil {
			continue // the SDK does not ask confd for SCCP/custom endpoints (#680)
		}
		ep, err := c.SIPEndpoint(ctx, l.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return WebRTCLine{}, err
		}
		if !ep.IsWebRTC() {
			continue
		}
		user, _ := ep.AuthSectionOptions.Get("username")
		pass, _ := ep.AuthSectionOptions.Get("password")
		if user == "" {
			user, pass = ep.Username, ep.Secret
		}
		media, _ := ep.EndpointSectionOptions.Get("media_address")
		if media == "" {
			media = ep.Host
		}
		return WebRTCLine{LineID: l.ID, Username: user, Password: pass, MediaAddress: media,
			DisplayName: u.DisplayName(), Extensions: l.Extensions, Endpoint: ep}, nil
	}
	return WebRTCLine{}, ErrNoWebRTCLine
}
