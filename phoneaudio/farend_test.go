package phoneaudio_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phoneaudio"
)

// farEnd is a scripted SIP peer with WebRTC media (ICE, DTLS-SRTP: an
// rtc.Session of its own) and an audio engine whose microphone plays
// tones and whose speaker is recorded. It stands in where the peers of
// the test rig cannot: sipp speaks no DTLS-SRTP, and baresip 1.0 neither
// places late-offer calls nor writes a usable early-media SDP (see
// TestUnusableEarlyMediaFromBaresipIsIgnored). Its signalling is sipgo,
// its media the same pion stack as Parley's, so these tests check
// Parley's offer/answer timing, not interoperability.
type farEnd struct {
	t    *testing.T
	addr string // 127.0.0.1:port, SIP over UDP
	srv  *sipgo.Server
	dua  *sipgo.DialogUA

	engine *audio.Engine
	rec    *audiotest.Recorder

	mu        sync.Mutex
	sessions  []*rtc.Session    // closed at cleanup
	audios    []phone.CallAudio // closed at cleanup
	invites   chan *sipgo.DialogServerSession
	reInvites chan reInvite
	byes      chan struct{}
	server    *sipgo.DialogServerSession // the INVITE we received
}

func newFarEnd(t *testing.T, user string, tones ...float64) *farEnd {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("parley-test-far-end"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	engine, rec := toneEngine(t, tones...)
	f := &farEnd{
		t: t, addr: conn.LocalAddr().String(), srv: srv,
		dua: &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{
			Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: port}}},
		engine: engine, rec: rec,
		invites:   make(chan *sipgo.DialogServerSession, 1),
		reInvites: make(chan reInvite, 1),
		byes:      make(chan struct{}, 1),
	}
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		if tag, _ := req.To().Params.Get("tag"); tag != "" {
			ri := reInvite{req, tx, make(chan struct{})}
			f.reInvites <- ri
			select { // sipgo ends the transaction when the handler returns
			case <-ri.done:
			case <-tx.Done():
			}
			return
		}
		ss, err := f.dua.ReadInvite(req, tx)
		if err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
			return
		}
		f.mu.Lock()
		f.server = ss
		f.mu.Unlock()
		f.invites <- ss
		<-ss.Context().Done() // sipgo's handler goroutine owns the transaction
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		f.mu.Lock()
		ss := f.server
		f.mu.Unlock()
		if ss != nil {
			_ = ss.ReadAck(req, tx) // confirms our 200
		}
	})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		select {
		case f.byes <- struct{}{}:
		default:
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeUDP(conn)
	}()
	t.Cleanup(func() {
		f.mu.Lock()
		sessions, audios := f.sessions, f.audios
		f.mu.Unlock()
		for _, a := range audios {
			_ = a.Close()
		}
		for _, m := range sessions {
			_ = m.Close()
		}
		_ = ua.Close()
		_ = conn.Close()
		<-done
	})
	return f
}

// newMedia gives the far end its WebRTC session (loopback candidates only).
func (f *farEnd) newMedia() *rtc.Session {
	f.t.Helper()
	m, err := rtc.NewSession(rtc.Config{IncludeLoopback: true})
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.sessions = append(f.sessions, m)
	f.mu.Unlock()
	return m
}

// playOnceConnected opens the far end's audio once ICE and DTLS are up.
func (f *farEnd) playOnceConnected(ctx context.Context, m *rtc.Session, callID string) phone.CallAudio {
	f.t.Helper()
	if err := m.WaitConnected(ctx); err != nil {
		f.t.Fatalf("far end: media: %v", err)
	}
	a, err := phoneaudio.New(f.engine).Open(callID, m)
	if err != nil {
		f.t.Fatal(err)
	}
	a.SetActive(true)
	f.mu.Lock()
	f.audios = append(f.audios, a)
	f.mu.Unlock()
	return a
}

// nextInvite waits for an INVITE to the far end.
func (f *farEnd) nextInvite(ctx context.Context) *sipgo.DialogServerSession {
	f.t.Helper()
	select {
	case ss := <-f.invites:
		return ss
	case <-ctx.Done():
		f.t.Fatal("far end: no INVITE arrived")
		return nil
	}
}

// waitBye waits for the BYE ending the call.
func (f *farEnd) waitBye(ctx context.Context) {
	f.t.Helper()
	select {
	case <-f.byes:
	case <-ctx.Done():
		f.t.Fatal("far end: no BYE arrived")
	}
}

// reInvite is an in-dialog INVITE the test answers with answerReInvite.
type reInvite struct {
	req  *sip.Request
	tx   sip.ServerTransaction
	done chan struct{} // closed once answered
}

// answerReInvite waits for a re-INVITE and answers its offer from a fresh
// media session, as a device joining with new ICE and DTLS would.
func (f *farEnd) answerReInvite(ctx context.Context) *rtc.Session {
	f.t.Helper()
	var ri reInvite
	select {
	case ri = <-f.reInvites:
	case <-ctx.Done():
		f.t.Fatal("far end: no re-INVITE arrived")
	}
	defer close(ri.done)
	m := f.newMedia()
	answer, err := m.Answer(ctx, ri.req.Body())
	if err != nil {
		_ = ri.tx.Respond(sip.NewResponseFromRequest(ri.req, 488, "Not Acceptable Here", nil))
		f.t.Fatalf("far end: re-INVITE offer: %v", err)
	}
	res := sip.NewResponseFromRequest(ri.req, 200, "OK", answer)
	res.AppendHeader(sdpHeader())
	res.AppendHeader(&f.dua.ContactHDR)
	if err := ri.tx.Respond(res); err != nil {
		f.t.Fatal(err)
	}
	return m
}

func sdpHeader() sip.Header { return sip.NewHeader("Content-Type", "application/sdp") }
