package headless_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
)

// sippGot200 matches sipp's trace once it received our 200 to the INVITE.
var sippGot200 = regexp.MustCompile(`message received \[\d+\] bytes :\n\nSIP/2\.0 200 [^\n]*\n(?s:.*?)CSeq: *1 INVITE`)

// TestRealAcceptPendingStaysResponsive drives a real phone: the caller
// (sipp through kamailio) never ACKs our 200, so the accept's transaction
// stays pending for 64×T1. status and hangup must be answered meanwhile,
// well before Timer L, and the hangup ends the accept; the BYE follows
// when the 200 times out (RFC 3261 §13.3.1.4, §15).
func TestRealAcceptPendingStaysResponsive(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	kam := testrig.StartKamailio(t)
	p, err := phone.New(phone.Account{Transport: "udp", Server: kam.UDPAddr, Username: "alice", Password: "secret"},
		phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Disconnect(ctx)
	})
	kam.WaitContacts(t, "alice", 1, 20*time.Second)
	s, _ := startAPI(t, p)
	s.ready()
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: "../phone/testdata/sipp/incoming_no_ack.xml",
		Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})
	in := s.event("call_incoming", 1)
	s.send(`{"cmd":"accept","id":"acc"}`)
	deadline := time.Now().Add(patience)
	for !sippGot200.MatchString(sipp.Messages()) {
		if time.Now().After(deadline) {
			t.Fatal("sipp never received our 200 OK")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// patience (10 s) is well under the 32 s the 200 waits for its ACK.
	s.send(`{"cmd":"status","id":"st"}`)
	if st := s.reply("st"); st.OK == nil || !*st.OK {
		t.Fatalf("status = %s", st.raw)
	}
	s.send(`{"cmd":"hangup","id":"hup"}`)
	if h := s.reply("hup"); h.OK == nil || !*h.OK || h.SIPCallID != in.Call.SIPCallID {
		t.Fatalf("hangup = %s", h.raw)
	}
	if acc := s.reply("acc"); acc.OK == nil || *acc.OK || !strings.Contains(acc.Error, "hung up") {
		t.Errorf("accept = %s", acc.raw)
	}
	if ls := s.waitFor("replies", func([]line) bool { return true }); indexOf(ls, "st") > indexOf(ls, "acc") {
		t.Error("status was answered after the accept")
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	if _, err := sipp.Wait(wctx); err != nil {
		t.Fatal(err) // sipp fails the call unless our BYE came
	}
}
