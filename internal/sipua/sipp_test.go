package sipua

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

func sippScenario(name string) string { return "testdata/sipp/" + name + ".xml" }

// --- incoming calls: sipp UAC → our UA over UDP ---

func TestIncomingAnswerRemoteBye(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if !strings.HasPrefix(in.Header("X-Wazo-Call-ID"), "wazo-") {
		t.Errorf("X-Wazo-Call-ID = %q", in.Header("X-Wazo-Call-ID"))
	}
	if in.From.User != "sipp" || in.From.DisplayName != "Sipp Caller" || len(in.SDP) == 0 {
		t.Errorf("incoming = %+v", in)
	}
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatal(err)
	}
	if d.IsCaller() || d.CallID() != in.CallID {
		t.Errorf("dialog caller=%v callid=%q", d.IsCaller(), d.CallID())
	}
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("remote BYE not seen")
	}
	if byRemote, _, _ := d.EndReason(); !byRemote {
		t.Error("EndReason byRemote = false")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if ua.Dialogs().Len() != 0 {
		t.Errorf("registry still holds %d dialogs", ua.Dialogs().Len())
	}
}

func TestIncomingRejectDefault603(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_reject"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if err := in.Reject(0, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Answer(nil); !errors.Is(err, ErrAlreadyAnswered) {
		t.Errorf("Answer after Reject: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestIncomingCanceledWhileRinging(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_cancel"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.Canceled():
	case <-ctxT(t).Done():
		t.Fatal("Canceled() not closed")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

type holdHandler struct {
	mu     sync.Mutex
	offers [][]byte
	bye    chan struct{}
}

func (h *holdHandler) OnReInvite(_ context.Context, offer []byte) ([]byte, int) {
	h.mu.Lock()
	h.offers = append(h.offers, offer)
	h.mu.Unlock()
	if bytes.Contains(offer, []byte("a=sendonly")) {
		return []byte(strings.Replace(testSDP, "a=sendrecv", "a=recvonly", 1)), 200
	}
	return []byte(testSDP), 200
}
func (h *holdHandler) OnBye(context.Context)                            { close(h.bye) }
func (h *holdHandler) OnRefer(context.Context, string) bool             { return false }
func (h *holdHandler) OnInfo(context.Context, string, []byte)           {}
func (h *holdHandler) OnNotify(context.Context, string, string, []byte) {}

func TestIncomingRemoteHoldReInvite(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_hold"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	hh := &holdHandler{bye: make(chan struct{})}
	in.Dialog().SetHandler(hh)
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-hh.bye:
	case <-ctxT(t).Done():
		t.Fatal("no BYE")
	}
	<-d.Done()
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	hh.mu.Lock()
	defer hh.mu.Unlock()
	if len(hh.offers) != 1 || !bytes.Contains(hh.offers[0], []byte("a=sendonly")) {
		t.Errorf("re-INVITE offers = %q", hh.offers)
	}
	if !bytes.Contains(d.RemoteSDP(), []byte("a=sendonly")) {
		t.Errorf("RemoteSDP not updated: %q", d.RemoteSDP())
	}
}

// --- outgoing calls: our UA → sipp UAS ---

func startUAS(t *testing.T, scenario string) *testrig.Sipp {
	t.Helper()
	return testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario(scenario)})
}

func TestOutgoingDigest(t *testing.T) {
	testrig.Require(t, "sipp")
	for _, sc := range []string{"uas_auth401", "uas_auth407"} {
		t.Run(sc, func(t *testing.T) {
			s := startUAS(t, sc)
			ua, _ := startDirectUA(t, s.Addr())
			d, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if len(d.RemoteSDP()) == 0 || d.RemoteTag() == "" {
				t.Errorf("dialog sdp=%q remoteTag=%q", d.RemoteSDP(), d.RemoteTag())
			}
			if err := d.Bye(ctxT(t)); err != nil {
				t.Fatalf("Bye: %v", err)
			}
			if _, err := s.Wait(ctxT(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOutgoingBusy(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_busy")
	ua, _ := startDirectUA(t, s.Addr())
	_, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 486 {
		t.Fatalf("Dial err = %v, want StatusError 486", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingRingingThenAnswer(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_ring_answer")
	ua, _ := startDirectUA(t, s.Addr())
	var early *Dialog
	var progress []int
	d, err := ua.Dial(ctxT(t), "sip:1002@127.0.0.1", []byte(testSDP), DialOptions{
		CallID:     "parley-call-1",
		Headers:    []Header{{Name: "X-Test", Value: "parley-test"}},
		OnDialog:   func(d *Dialog) { early = d },
		OnProgress: func(code int, _ string, _ []byte) { progress = append(progress, code) },
	})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if early != d || d.CallID() != "parley-call-1" {
		t.Errorf("OnDialog dialog %p vs %p, callid %q", early, d, d.CallID())
	}
	if len(progress) != 1 || progress[0] != 180 {
		t.Errorf("progress = %v", progress)
	}
	if got := d.Header("X-Wazo-Call-ID"); got != "wazo-42" {
		t.Errorf("X-Wazo-Call-ID = %q", got)
	}
	if err := d.Bye(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingRetransmitted200IsReAcked(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_retrans200")
	ua, _ := startDirectUA(t, s.Addr())
	d, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	// sipp only hangs up after receiving the second ACK.
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("sipp never hung up: retransmitted 200 not re-ACKed")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingCancelWhileRinging(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_cancel")
	ua, _ := startDirectUA(t, s.Addr())
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	_, err := ua.Dial(ctx, "1002", []byte(testSDP), DialOptions{
		OnProgress: func(code int, _ string, _ []byte) {
			if code == 180 {
				cancel()
			}
		},
	})
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("Dial err = %v, want ErrCanceled", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// --- registration against a sipp registrar (digest) ---

func TestRegisterDigestAndUnregister(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "reg_auth")
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "udp", Server: s.Addr(), Domain: "parley.test",
		Username: "1001", Password: "secret"}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	st := ua.RegState()
	if st.Status != RegRegistered || st.Expires != 60*time.Second {
		t.Errorf("RegState = %+v", st)
	}
	if err := ua.Close(ctxT(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterWrongPassword(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "reg_wrongpass")
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "udp", Server: s.Addr(), Domain: "parley.test",
		Username: "1001", Password: "bad"}, h)
	err := ua.Start(ctxT(t))
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("Start err = %v, want ErrAuthFailed", err)
	}
	if !strings.Contains(err.Error(), "wrong password for 1001@parley.test") {
		t.Errorf("error text %q", err)
	}
	st := h.waitReg(t, RegFailed)
	if st.Retrying || !errors.Is(st.Err, ErrAuthFailed) {
		t.Errorf("failed state = %+v", st)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterRefresh(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "reg_refresh")
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "udp", Server: s.Addr(), Domain: "parley.test",
		Username: "1001", Password: "secret"}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	h.waitReg(t, RegRegistered)  // first
	h.waitReg(t, RegRegistering) // refresh started by the timer
	st := h.waitReg(t, RegRegistered)
	if st.Expires != 60*time.Second {
		t.Errorf("refreshed expiry = %v", st.Expires)
	}
	if err := ua.Close(ctxT(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}
