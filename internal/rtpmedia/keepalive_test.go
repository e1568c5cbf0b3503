package rtpmedia_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/rtpmedia"
)

// A far end that holds us (sendonly) without rtcp-mux: we send no audio,
// yet its RTP port keeps receiving our keep-alives (RFC 6263 §4.2): RTP
// on our SSRC, with a payload type the call did not negotiate and no
// payload, so its NAT binding stays open. With rtcp-mux the RTCP reports
// already travel on the RTP port, and no keep-alive is sent.
func TestKeepAliveWhileHeld(t *testing.T) {
	for _, tc := range []struct {
		name string
		mux  bool
	}{
		{"rtcp on port+1", false},
		{"rtcp-mux", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			peer := udpListen(t)
			peerPort := peer.LocalAddr().(*net.UDPAddr).Port
			mux := ""
			if tc.mux {
				mux = "a=rtcp-mux\r\n"
			}
			offer := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
				"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"+
				"a=fmtp:101 0-16\r\n%sa=sendonly\r\n", peerPort, mux)
			s := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}, KeepAliveInterval: 100 * time.Millisecond, RTCPInterval: 200 * time.Millisecond})
			if _, err := s.Answer(ctxT(t), []byte(offer)); err != nil {
				t.Fatal(err)
			}
			if d := s.LocalDirection(); d.Sends() {
				t.Fatalf("answering a hold we send (%s)", d)
			}
			// Feed audio as the pipeline would: it must not go out.
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				tk := time.NewTicker(20 * time.Millisecond)
				defer tk.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tk.C:
						_ = s.SendAudio(make([]byte, 160), 20*time.Millisecond)
					}
				}
			}()
			defer func() { close(stop); <-done }()

			buf := make([]byte, 1500)
			deadline := time.Now().Add(wait)
			if tc.mux {
				// Two RTCP reports arrive on the RTP port, and nothing else.
				_ = peer.SetReadDeadline(deadline)
				for reports := 0; reports < 2; {
					n, _, err := peer.ReadFromUDPAddrPort(buf)
					if err != nil {
						t.Fatal(err)
					}
					if pt := buf[1]; pt >= 192 && pt <= 223 {
						reports++ // RFC 5761 §4: RTCP packet types
						continue
					}
					t.Fatalf("RTP on a held, muxed stream: % x", buf[:min(n, 16)])
				}
				return
			}
			_ = peer.SetReadDeadline(deadline)
			var ssrc uint32
			for got := 0; got < 2; got++ {
				n, _, err := peer.ReadFromUDPAddrPort(buf)
				if err != nil {
					t.Fatalf("no keep-alive on the RTP port: %v", err)
				}
				var p rtp.Packet
				if err := p.Unmarshal(buf[:n]); err != nil {
					t.Fatalf("not RTP: %v", err)
				}
				if p.PayloadType == 0 || p.PayloadType == 101 || p.PayloadType < 96 || len(p.Payload) != 0 {
					t.Fatalf("keep-alive PT %d with %d bytes; want an unused dynamic PT, empty", p.PayloadType, len(p.Payload))
				}
				if got > 0 && p.SSRC != ssrc {
					t.Fatalf("keep-alive SSRC changed %08x → %08x", ssrc, p.SSRC)
				}
				ssrc = p.SSRC
			}
		})
	}
}
