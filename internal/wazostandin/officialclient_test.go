package wazostandin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// officialNarrowACL is what a token needs for the routes the official
// client uses below, as the upstream services require them (wazo-calld
// plugins/*/http.py @required_acl, "*" for one id; wazo-confd users).
var officialNarrowACL = []string{
	"confd.users.me.read",
	"calld.users.me.calls.read",
	"calld.users.me.calls.*.delete",
	"calld.users.me.calls.*.dtmf.update",
	"calld.users.me.calls.*.mute.start.update",
	"calld.users.me.calls.*.mute.stop.update",
	"calld.users.me.calls.*.hold.start.update",
	"calld.users.me.calls.*.hold.stop.update",
	"calld.users.me.conferences.adhoc.create",
	"calld.users.me.conferences.adhoc.delete",
	"calld.users.me.conferences.adhoc.participants.update",
	"calld.users.me.conferences.adhoc.participants.delete",
	"calld.users.me.transfers.create",
	"calld.users.me.transfers.*.delete",
}

// TestOfficialClientWithNarrowACLs drives the stand-in with the official
// Wazo JavaScript client (@wazo/sdk, its bundled dist/wazo-sdk.js named by
// PARLEY_WAZO_SDK; node on PATH): every call-control and ad-hoc route the
// SDK has works for a token holding only the narrow real ACLs, and a token
// missing one gets a 401 the SDK reports as such. Skipped without the SDK.
func TestOfficialClientWithNarrowACLs(t *testing.T) {
	sdk := os.Getenv("PARLEY_WAZO_SDK")
	node, err := exec.LookPath("node")
	if sdk == "" || err != nil {
		t.Skip("set PARLEY_WAZO_SDK to @wazo/sdk's dist/wazo-sdk.js (and have node) to run the official client")
	}
	const carol, dave = "cccccccc-0000-4000-8000-000000000003", "dddddddd-0000-4000-8000-000000000004"
	s := New()
	t.Cleanup(func() { _ = s.Close() })
	missing := slices.DeleteFunc(slices.Clone(officialNarrowACL), func(a string) bool {
		return a == "calld.users.me.conferences.adhoc.participants.delete"
	})
	for _, u := range []User{
		{UUID: carol, Username: "carol", Password: "pw", ACL: officialNarrowACL},
		{UUID: dave, Username: "dave", Password: "pw", ACL: missing},
	} {
		if _, err := s.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := s.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "stack.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	m := s.Calls()
	pair := func(owner string) (mine, remote string) {
		t.Helper()
		a, err := m.NewChannel(ChannelSpec{UserUUID: owner, CallerIDNumber: "1003"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.NewChannel(ChannelSpec{CallerIDNumber: "2000", LinkedTo: a.CallID})
		m.Answer(a.CallID)
		m.Answer(b.CallID)
		if _, err := m.Bridge(a.CallID, b.CallID); err != nil {
			t.Fatal(err)
		}
		return a.CallID, b.CallID
	}
	h1, p1 := pair(carol)
	_, p2 := pair(carol)
	_, p3 := pair(carol)
	h4, _ := pair(carol)
	m1, mp1 := pair(dave)
	_, mp2 := pair(dave)
	_ = mp2
	in, _ := json.Marshal(map[string]any{
		"server":  strings.TrimPrefix(url, "https://"),
		"narrow":  map[string]string{"username": "carol", "password": "pw"},
		"missing": map[string]string{"username": "dave", "password": "pw"},
		"calls":   map[string]string{"h1": h1, "p1": p1, "p2": p2, "p3": p3, "h4": h4, "m1": m1, "mp1": mp1},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "officialclient.js"))
	cmd.Env = append(os.Environ(), "PARLEY_WAZO_SDK="+sdk, "PARLEY_JS_INPUT="+string(in), "NODE_EXTRA_CA_CERTS="+ca)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr.String())
	}
	type result struct {
		Step    string `json:"step"`
		OK      bool   `json:"ok"`
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	got := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		got[r.Step] = r
	}
	for _, step := range []string{"login", "getUser", "listCalls", "mute", "unmute", "hold", "resume", "sendDTMF",
		"createAdHocConference", "addAdHocConferenceParticipant", "removeAdHocConferenceParticipant", "deleteAdHocConference",
		"transferCall", "cancelCallTransfer", "cancelCall", "missing:createAdHocConference"} {
		if r, ok := got[step]; !ok || !r.OK {
			t.Errorf("%s with the narrow ACLs: %+v", step, r)
		}
	}
	if r := got["missing:removeAdHocConferenceParticipant"]; r.OK || r.Status != 401 {
		t.Errorf("a token missing the ACL: %+v, want the SDK's 401", r)
	} else {
		t.Logf("the SDK reports the missing ACL as: %d %s", r.Status, r.Message)
	}
	if t.Failed() {
		t.Logf("node output:\n%s\n%s", out, stderr.String())
	}
}
