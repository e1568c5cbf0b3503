package sipua

import (
	"errors"
	"slices"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/testrig"
)

// startUA starts an unregistered UA with cfg's other fields filled in.
func startUA(t *testing.T, cfg Config) (*UA, *testHandler) {
	t.Helper()
	h := newTestHandler()
	if cfg.Username == "" {
		cfg.Username, cfg.Password = "1001", "secret"
	}
	if cfg.RegisterExpiry == 0 {
		cfg.RegisterExpiry = -1
	}
	ua := newTestUA(t, cfg, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return ua, h
}

func TestOutgoingRedirectFollowed(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_redirect")
	ua, _ := startUA(t, Config{Transport: "udp", Server: s.Addr()})
	type hop struct {
		code   int
		target string
	}
	var hops []hop
	d, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{
		CallID:     "redirect-call-1",
		OnRedirect: func(code int, target string) { hops = append(hops, hop{code, target}) },
	})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	// q order (0.9 before 0.5), the already tried 1002 skipped, the
	// method parameter dropped (RFC 3261 §8.1.3.4), the busy 1004 followed
	// by the next target of the set.
	want := []hop{{302, "sip:1004@redirect.test"}, {486, "sip:1003@redirect.test"}}
	if !slices.Equal(hops, want) {
		t.Errorf("redirect hops = %v, want %v", hops, want)
	}
	if d.CallID() != "redirect-call-1" {
		t.Errorf("Call-ID = %q, want the first INVITE's", d.CallID())
	}
	if err := d.Bye(ctxT(t)); err != nil {
		t.Fatalf("Bye: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingRedirectReported(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_redirect_report")
	ua, _ := startUA(t, Config{Transport: "udp", Server: s.Addr(), MaxRedirects: -1})
	_, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{
		OnRedirect: func(int, string) { t.Error("redirect followed with MaxRedirects < 0") },
	})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 302 {
		t.Fatalf("Dial err = %v, want StatusError 302", err)
	}
	if !slices.Equal(se.Contacts, []string{"sip:1003@redirect.test"}) {
		t.Errorf("Contacts = %q", se.Contacts)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingRedirectLoopStops(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_redirect_loop")
	ua, _ := startUA(t, Config{Transport: "udp", Server: s.Addr()})
	_, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 302 {
		t.Fatalf("Dial err = %v, want StatusError 302 (loop back to 1002)", err)
	}
	if !slices.Equal(se.Contacts, []string{"sip:1002@127.0.0.1"}) {
		t.Errorf("Contacts = %q", se.Contacts)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestTargetSetHopLimit(t *testing.T) {
	first := sip.Uri{Scheme: "sip", User: "a", Host: "h"}
	ts := newTargetSet(first, 2)
	for _, user := range []string{"b", "c", "d"} {
		res := sip.NewResponse(302, "Moved")
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "h"}})
		ts.add(res)
	}
	var got []string
	for {
		u, ok := ts.next()
		if !ok {
			break
		}
		got = append(got, u.User)
	}
	if !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("targets = %v, want b, c (hop limit 2)", got)
	}
}
