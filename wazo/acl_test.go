package wazo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin"
)

const carolUUID = "cccccccc-0000-4000-8000-000000000003"

// narrowACL is the set of exact ACLs a token needs for every route the
// product uses, as the upstream services require them, with "*" for one
// id (calld's {call_id} has its dots turned to underscores, xivo
// auth_verifier.py): wazo-calld plugins/calls/http.py,
// plugins/adhoc_conferences/http.py, plugins/transfers/http.py; wazo-confd
// users/lines resources; wazo-websocketd auth.py ("websocketd"); the
// events' required ACLs (wazo-calld bus_publish / wazo-bus events).
func narrowACL() []string {
	return []string{
		"websocketd",
		"events.calls.me",
		"events.conferences.users.me.#",
		"events.transfers.me",
		"confd.users.me.read",
		"confd.users.me.lines.read",
		"confd.users.me.lines.*.associated.endpoints.sip.read",
		"confd.infos.read",
		"calld.users.me.calls.read",
		"calld.users.me.calls.*.delete",
		"calld.users.me.calls.*.answer.update",
		"calld.users.me.calls.*.dtmf.update",
		"calld.users.me.calls.*.mute.start.update",
		"calld.users.me.calls.*.mute.stop.update",
		"calld.users.me.calls.*.hold.start.update",
		"calld.users.me.calls.*.hold.stop.update",
		"calld.users.me.conferences.adhoc.create",
		"calld.users.me.conferences.adhoc.delete",
		"calld.users.me.conferences.adhoc.participants.update",
		"calld.users.me.conferences.adhoc.participants.delete",
		"calld.users.me.transfers.read",
		"calld.users.me.transfers.create",
		"calld.users.me.transfers.*.complete.update",
		"calld.users.me.transfers.*.delete",
	}
}

// addCarol adds a user whose token carries exactly acl.
func addCarol(t *testing.T, e *env, acl []string) *Client {
	t.Helper()
	if _, err := e.stack.AddUser(wazostandin.User{UUID: carolUUID, Username: "carol", Password: "pw", ACL: acl,
		Lines: []wazostandin.Line{{WebRTC: true, Username: "carol-webrtc", Password: "linepw", Extensions: []wazostandin.Extension{{Exten: "1003"}}}},
	}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if _, err := c.Login(ctx(t), "carol", "pw"); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNarrowACLsAreEnough: a token holding only the ACLs the platform
// requires (no "calld.users.me.#") can use every route the product uses
// and receives its call events.
func TestNarrowACLsAreEnough(t *testing.T) {
	e := newEnv(t, nil)
	c := addCarol(t, e, narrowACL())
	if _, err := c.User(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Infos(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WebRTCLine(ctx(t)); err != nil {
		t.Fatal(err)
	}
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)

	m := e.stack.Calls()
	h1, p1 := aliceCall(t, m, carolUUID)
	_, p2 := aliceCall(t, m, carolUUID)
	_, p3 := aliceCall(t, m, carolUUID)
	waitFor(t, "carol's call_created", func() bool {
		_, ok := evs.find(func(ev Event) bool {
			cl, err := ev.Call()
			return err == nil && ev.Name == "call_created" && cl.CallID == h1
		})
		return ok
	})
	h4, _ := aliceCall(t, m, carolUUID)
	steps := []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"list calls", func(ctx context.Context) error { _, err := c.Calls(ctx); return err }},
		{"mute", func(ctx context.Context) error { return c.Mute(ctx, h4) }},
		{"unmute", func(ctx context.Context) error { return c.Unmute(ctx, h4) }},
		{"hold", func(ctx context.Context) error { return c.Hold(ctx, h4) }},
		{"resume", func(ctx context.Context) error { return c.Resume(ctx, h4) }},
		{"answer", func(ctx context.Context) error { return c.Answer(ctx, h4) }},
		{"dtmf", func(ctx context.Context) error { return c.SendDTMF(ctx, h4, "1#") }},
		{"conference", func(ctx context.Context) error {
			cid, err := c.CreateAdhocConference(ctx, h1, []string{p1, p2})
			if err != nil {
				return err
			}
			if err := c.AddAdhocParticipant(ctx, cid, p3); err != nil {
				return err
			}
			if err := c.RemoveAdhocParticipant(ctx, cid, p3); err != nil {
				return err
			}
			return c.DeleteAdhocConference(ctx, cid)
		}},
		{"transfer", func(ctx context.Context) error {
			tr, err := c.CreateTransfer(ctx, TransferRequest{InitiatorCall: h4, Exten: "1002", Flow: "attended"})
			if err != nil {
				return err
			}
			if _, err := c.Transfers(ctx); err != nil {
				return err
			}
			return c.CancelTransfer(ctx, tr.ID)
		}},
		{"hangup", func(ctx context.Context) error { return c.Hangup(ctx, h4) }},
	}
	for _, st := range steps {
		if err := st.do(ctx(t)); err != nil {
			t.Errorf("%s with the narrow ACLs: %v", st.name, err)
		}
	}
}

// TestMissingACLIsThePlatforms401: a token missing one ACL gets xivo's
// MissingPermissionsTokenAPIException body (xivo-lib-python
// xivo/http_exceptions.py) and the client turns it into a plain sentence
// naming the permission.
func TestMissingACLIsThePlatforms401(t *testing.T) {
	const missing = "calld.users.me.conferences.adhoc.participants.delete"
	e := newEnv(t, nil)
	acl := slices.DeleteFunc(narrowACL(), func(a string) bool { return a == missing })
	c := addCarol(t, e, acl)
	m := e.stack.Calls()
	h1, p1 := aliceCall(t, m, carolUUID)
	cid, err := c.CreateAdhocConference(ctx(t), h1, []string{p1})
	if err != nil {
		t.Fatal(err)
	}

	err = c.RemoveAdhocParticipant(ctx(t), cid, p1)
	var ae *APIError
	if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &ae) || ae.MissingPermission() != missing {
		t.Fatalf("got %v (%+v)", err, ae)
	}
	want := "your Wazo user is not allowed to do this (it lacks the permission " + missing + "); ask your administrator to grant it"
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}

	// The raw body, field by field.
	s, _ := c.Session()
	req, _ := http.NewRequest("DELETE", e.srv.URL+"/api/calld/1.0/users/me/conferences/adhoc/"+cid+"/participants/"+p1, nil)
	req.Header.Set("X-Auth-Token", s.Token)
	hc := &http.Client{Transport: e.srv.Client().Transport}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(buf.Bytes(), &body); err != nil {
		t.Fatalf("%v in %s", err, buf.Bytes())
	}
	details, _ := body["details"].(map[string]any)
	tenant, hasTenant := details["tenant_uuid"]
	if resp.StatusCode != 401 || body["message"] != "Unauthorized" || body["error_id"] != "unauthorized" || body["timestamp"] == nil ||
		details["invalid_token"] != s.Token || details["reason"] != "missing_permission_or_invalid_tenant" ||
		details["required_access"] != missing || !hasTenant || tenant != nil {
		t.Fatalf("401 body %d %s", resp.StatusCode, buf.Bytes())
	}
	if strings.Contains(buf.String(), cid) && strings.Contains(details["required_access"].(string), cid) {
		t.Fatal("the ad-hoc ACL must not name the conference")
	}
}
