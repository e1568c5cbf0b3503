package conference

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// TestStartAppliesEventsThatRacedTheAnswer: calld publishes created and the
// joins while handling the POST (docs/wazo-protocol.md, Ad-hoc conferences, docs/wazo-protocol.md, Stand-in differences), before the 201 reaches us.
func TestStartAppliesEventsThatRacedTheAnswer(t *testing.T) {
	ph := newFakePhone(bridged("sip-1", "h1", "p1"), bridged("sip-2", "h2", "p2"))
	ln := newFakeLine()
	cd := &fakeCalld{confID: "conf-1"}
	cd.during = func(op string) {
		if strings.HasPrefix(op, "create") {
			ln.send("conference_adhoc_created", "conf-1", "")
			ln.send("conference_adhoc_participant_joined", "conf-1", "h1")
			ln.send("conference_adhoc_participant_joined", "conf-1", "p1")
			ln.send("conference_adhoc_participant_joined", "conf-1", "p2")
			time.Sleep(50 * time.Millisecond) // let the loop stash them
		}
	}
	w := newWazo(cd, ph, ln.subscribe)
	defer w.Close()
	log := watchConf(t, w)
	host, _ := ph.Session("sip-1")
	other, _ := ph.Session("sip-2")
	c, err := w.Start(context.Background(), host, []phone.CallSession{other, host})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cd.reqs[0], "create h1 p1,p2"; got != want {
		t.Fatalf("request %q, want %q", got, want)
	}
	log.wait(t, EventParticipantJoined, func(e Event) bool { return e.Participant.CallID == "p2" })
	s := c.Snapshot()
	if !s.Confirmed || !s.Started || s.Finished || !slices.Equal(s.ParticipantIDs(), []string{"p1", "p2"}) {
		t.Fatalf("snapshot %+v", s)
	}
	if p := s.Participants["p2"]; p.SIPCallID != "sip-2" || p.Number != "n-p2" || p.JoinedAt.IsZero() {
		t.Fatalf("participant p2 %+v", p)
	}
	if id, ok := w.MergedInto("sip-2"); !ok || id != "conf-1" || isMerged(w, "sip-1") {
		t.Fatalf("merged: sip-2 %q %v, host %v", id, ok, isMerged(w, "sip-1"))
	}
	want := []EventType{EventStarted, EventCallMerged, EventParticipantJoined, EventParticipantJoined}
	if got := log.types(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}

	// A participant who hangs up alone leaves; the deleted event ends it.
	ln.send("conference_adhoc_participant_left", "conf-1", "p2")
	log.wait(t, EventParticipantLeft, nil)
	ln.send("conference_adhoc_participant_left", "conf-1", "h1") // the host's channel: not a participant
	ln.send("conference_adhoc_deleted", "conf-1", "")
	ended := log.wait(t, EventEnded, nil)
	if !ended.Conference.Finished || len(ended.Conference.Participants) != 0 || len(w.Conferences()) != 0 {
		t.Fatalf("after deleted: %+v", ended.Conference)
	}
	if n := strings.Count(strings.Join(typeStrings(log.types()), " "), string(EventParticipantLeft)); n != 1 {
		t.Fatalf("%d participant_left events, want 1 (the host's channel is not a participant)", n)
	}
}

func typeStrings(ts []EventType) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t))
	}
	return out
}

// TestStartWaitsForTalkingTo: talking_to arrives with call_updated (docs/wazo-protocol.md, Call object);
// Start waits for it, and says so plainly when it never comes.
func TestStartWaitsForTalkingTo(t *testing.T) {
	host := bridged("sip-1", "h1", "p1")
	late := phone.CallSession{SIPCallID: "sip-2", Status: phone.StatusEstablished, Answered: true}
	ph := newFakePhone(host, late)
	ln := newFakeLine()
	cd := &fakeCalld{confID: "c"}
	w := newWazo(cd, ph, ln.subscribe, WithReadyTimeout(200*time.Millisecond))
	defer w.Close()

	_, err := w.Start(context.Background(), host, []phone.CallSession{late})
	if !errors.Is(err, ErrNotReady) || !errors.Is(err, ErrStart) {
		t.Fatalf("err %v, want ErrNotReady", err)
	}
	if !strings.Contains(err.Error(), "has not said who this call is connected to") {
		t.Fatalf("not a plain sentence: %q", err)
	}
	if len(cd.reqs) != 0 || isMerged(w, "sip-2") {
		t.Fatalf("requests %v, merged %v", cd.reqs, isMerged(w, "sip-2"))
	}

	w2 := newWazo(cd, ph, ln.subscribe, WithReadyTimeout(waitLong))
	defer w2.Close()
	go func() {
		time.Sleep(100 * time.Millisecond)
		ph.set(bridged("sip-2", "h2", "p2"))
	}()
	if _, err := w2.Start(context.Background(), host, []phone.CallSession{late}); err != nil {
		t.Fatalf("Start after call_updated: %v", err)
	}

	if _, err := w2.Start(context.Background(), host, nil); !errors.Is(err, ErrNoCalls) {
		t.Fatalf("no others: %v", err)
	}
	if _, err := w2.Start(context.Background(), host, []phone.CallSession{{SIPCallID: "gone"}}); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("unknown call: %v", err)
	}
}

// TestCalldErrors: every calld refusal of docs/wazo-protocol.md, Ad-hoc conferences: reaches the user as a plain
// sentence, still matching the wazo sentinel.
func TestCalldErrors(t *testing.T) {
	type answer struct {
		status int
		body   string
	}
	cases := []struct {
		name   string
		op     string // start, add, remove, hangup
		answer answer
		is     error
		says   string
	}{
		{"host-call-not-found", "start", answer{400, `{"error_id":"host-call-not-found","message":"Adhoc conference creation error: host call not found"}`}, wazo.ErrHostCallNotFound, "no longer knows the call you are on"},
		{"host-call-creation-error", "start", answer{400, `{"error_id":"host-call-creation-error","message":"call has no peers"}`}, wazo.ErrHostCallCreation, "not connected to anyone"},
		{"participant-call-not-found start", "start", answer{400, `{"error_id":"participant-call-not-found"}`}, wazo.ErrParticipantCallNotFound, "other calls has ended"},
		{"host-already-in-conference", "start", answer{409, `{"error_id":"host-already-in-conference"}`}, wazo.ErrHostAlreadyInConference, "already part of a conference"},
		{"invalid-data", "start", answer{400, `{"error_id":"invalid-data","message":"Sent data is invalid","details":{"host_call_id":{}}}`}, wazo.ErrInvalidData, "did not accept the request"},
		{"503 ari", "start", answer{503, `{"error_id":"asterisk-ari-unreachable","message":"Connection error"}`}, wazo.ErrAsteriskUnreachable, "temporarily unavailable"},
		{"503 proxy", "start", answer{503, `<html>503 Service Temporarily Unavailable</html>`}, wazo.ErrServer, "temporarily unavailable"},
		{"participant-call-not-found add", "add", answer{400, `{"error_id":"participant-call-not-found"}`}, wazo.ErrParticipantCallNotFound, "other calls has ended"},
		{"participant-already-in-conference", "add", answer{409, `{"error_id":"participant-already-in-conference"}`}, wazo.ErrParticipantAlreadyInConference, "already in the conference"},
		{"adhoc-conference-not-found add", "add", answer{404, `{"error_id":"adhoc-conference-not-found"}`}, wazo.ErrAdhocConferenceNotFound, "already ended on the server"},
		{"503 add", "add", answer{503, `{"error_id":"asterisk-ari-error"}`}, wazo.ErrAsteriskError, "try again"},
		{"adhoc-conference-not-found remove", "remove", answer{404, `{"error_id":"adhoc-conference-not-found"}`}, wazo.ErrAdhocConferenceNotFound, "already ended on the server"},
		{"participant-call-not-found remove", "remove", answer{400, `{"error_id":"participant-call-not-found"}`}, wazo.ErrParticipantCallNotFound, "no longer connected to you"},
		{"503 hangup", "hangup", answer{503, `{"message":"down"}`}, wazo.ErrServer, "temporarily unavailable"},
	}
	opErr := map[string]error{"start": ErrStart, "add": ErrAdd, "remove": ErrRemove, "hangup": ErrHangup}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				refuse := map[string]string{"start": http.MethodPost, "add": http.MethodPut, "remove": http.MethodDelete, "hangup": http.MethodDelete}[tc.op]
				isParticipant := strings.Contains(r.URL.Path, "/participants/")
				if r.Method == refuse && (tc.op != "hangup" || !isParticipant) && (tc.op != "remove" || isParticipant) {
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(tc.answer.status)
					_, _ = rw.Write([]byte(tc.answer.body))
					return
				}
				if r.Method == http.MethodPost {
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(http.StatusCreated)
					_, _ = rw.Write([]byte(`{"conference_id":"conf-x"}`))
					return
				}
				rw.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			client, err := wazo.NewClient(srv.URL, wazo.WithHTTPClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			client.SetSession(wazo.Session{Token: "tok", UserUUID: "u", ExpiresAt: time.Now().Add(time.Hour)})

			host, p2, p3 := bridged("sip-1", "h1", "p1"), bridged("sip-2", "h2", "p2"), bridged("sip-3", "h3", "p3")
			ph := newFakePhone(host, p2, p3)
			w := newWazo(client, ph, newFakeLine().subscribe)
			defer w.Close()
			ctx := context.Background()
			c, err := w.Start(ctx, host, []phone.CallSession{p2})
			if tc.op != "start" {
				if err != nil {
					t.Fatal(err)
				}
				switch tc.op {
				case "add":
					err = c.AddParticipant(ctx, p3)
					if isMerged(w, "sip-3") {
						t.Error("a refused add left the call marked merged")
					}
				case "remove":
					err = c.RemoveParticipant(ctx, "p2")
				case "hangup":
					err = c.Hangup(ctx)
				}
			} else if isMerged(w, "sip-2") {
				t.Error("a refused start left the call marked merged")
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.is) || !errors.Is(err, opErr[tc.op]) {
				t.Fatalf("%v: not %v / %v", err, tc.is, opErr[tc.op])
			}
			var ae *wazo.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%v: the *wazo.APIError is lost", err)
			}
			if !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "error_id") {
				t.Fatalf("%q does not say %q", err, tc.says)
			}
		})
	}
}
