package wazo

import (
	"encoding/json"
	"fmt"
	"time"
)

// Session is a wazo-auth token as the SDK keeps it (docs/wazo-protocol.md, Authentication, SDK Session.parse).
type Session struct {
	Token        string
	RefreshToken string // only with WithClientID (offline access)
	UserUUID     string // metadata.uuid
	TenantUUID   string // metadata.tenant_uuid
	SessionUUID  string
	StackUUID    string // xivo_uuid
	IssuedAt     time.Time
	ExpiresAt    time.Time // utc_expires_at
	ACL          []string
}

// tokenData is the POST /token data object.
type tokenData struct {
	Token        string   `json:"token"`
	RefreshToken string   `json:"refresh_token"`
	SessionUUID  string   `json:"session_uuid"`
	XivoUUID     string   `json:"xivo_uuid"`
	UTCIssuedAt  string   `json:"utc_issued_at"`
	UTCExpiresAt string   `json:"utc_expires_at"`
	ACL          []string `json:"acl"`
	ACLs         []string `json:"acls"`
	Metadata     struct {
		UUID       string `json:"uuid"`
		TenantUUID string `json:"tenant_uuid"`
	} `json:"metadata"`
}

// authTimeLayout parses wazo-auth's "%Y-%m-%dT%H:%M:%S.%f" (UTC, no zone).
const authTimeLayout = "2006-01-02T15:04:05.999999"

func parseAuthTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(authTimeLayout, s, time.UTC)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	return t, err
}

func parseSession(raw json.RawMessage) (Session, error) {
	var env struct {
		Data tokenData `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return Session{}, fmt.Errorf("%w: token: %v", ErrBadResponse, err)
	}
	d := env.Data
	if d.Token == "" || d.Metadata.UUID == "" {
		return Session{}, fmt.Errorf("%w: token answer without token or user uuid", ErrBadResponse)
	}
	exp, err := parseAuthTime(d.UTCExpiresAt)
	if err != nil {
		return Session{}, fmt.Errorf("%w: utc_expires_at %q", ErrBadResponse, d.UTCExpiresAt)
	}
	iss, _ := parseAuthTime(d.UTCIssuedAt)
	acl := d.ACL
	if len(d.ACLs) > 0 {
		acl = d.ACLs
	}
	return Session{
		Token: d.Token, RefreshToken: d.RefreshToken, UserUUID: d.Metadata.UUID,
		TenantUUID: d.Metadata.TenantUUID, SessionUUID: d.SessionUUID, StackUUID: d.XivoUUID,
		IssuedAt: iss, ExpiresAt: exp, ACL: acl,
	}, nil
}
