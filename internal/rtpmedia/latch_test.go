package rtpmedia_test

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtpmedia"
)

func udpListen(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// rebindingNAT forwards bob's media to alice from one of two public
// sockets; switching them is a NAT whose mapping changed mid-call.
type rebindingNAT struct {
	inside  *net.UDPConn
	outside [2]*net.UDPConn
	use     atomic.Int32
	alice   netip.AddrPort
	bob     atomic.Pointer[netip.AddrPort]
}

func startRebindingNAT(t *testing.T, alice netip.AddrPort) *rebindingNAT {
	t.Helper()
	n := &rebindingNAT{inside: udpListen(t), outside: [2]*net.UDPConn{udpListen(t), udpListen(t)}, alice: alice}
	go func() {
		buf := make([]byte, 2048)
		for {
			k, from, err := n.inside.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			n.bob.Store(&from)
			_, _ = n.outside[n.use.Load()].WriteToUDPAddrPort(buf[:k], n.alice)
		}
	}()
	for _, o := range n.outside {
		go func() {
			buf := make([]byte, 2048)
			for {
				k, _, err := o.ReadFromUDPAddrPort(buf)
				if err != nil {
					return
				}
				if b := n.bob.Load(); b != nil {
					_, _ = n.inside.WriteToUDPAddrPort(buf[:k], *b)
				}
			}
		}()
	}
	return n
}

// A latched stream follows the far end to a new address when its NAT
// mapping changes (after relatchAfter packets from there), and media from
// a third party interleaved with the real stream never plays.
func TestRelatchAndStrayMedia(t *testing.T) {
	alice := newSession(t, rtpmedia.Config{Codecs: []string{"pcmu"}})
	bob := newSession(t, rtpmedia.Config{})
	nat := startRebindingNAT(t, alice.LocalAddr())
	offer, err := alice.CreateOffer(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	// Bob sends into his NAT.
	offer = regexp.MustCompile(`(?m)^m=audio \d+`).ReplaceAll(offer,
		[]byte("m=audio "+strconv.Itoa(nat.inside.LocalAddr().(*net.UDPAddr).Port)))
	answer, err := bob.Answer(ctxT(t), offer)
	if err != nil {
		t.Fatal(err)
	}
	answer = regexp.MustCompile(`(?m)^c=IN IP4 .*$`).ReplaceAll(answer, []byte("c=IN IP4 192.0.2.1\r"))
	if err := alice.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	ae, arec := toneEngine(t, aliceTones...)
	be, brec := toneEngine(t, bobTones...)
	openAudio(t, ae, "a", alice)
	openAudio(t, be, "b", bob)
	audiotest.Hear(t, "alice hears bob", arec, bobTones)
	audiotest.Hear(t, "bob hears alice through his NAT", brec, aliceTones)

	// Mallory streams 500 Hz at alice with the right payload type.
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	mallory := udpListen(t)
	var sent atomic.Int64
	go func() {
		defer close(done)
		enc, err := codec.NewEncoder(codec.Params{Name: "PCMU", ClockRate: 8000, Channels: 1})
		if err != nil {
			return
		}
		gen, _ := dsp.NewToneGen(codec.SampleRate, 0.3, 500)
		pcm := make([]int16, codec.FrameSamples)
		payload := make([]byte, codec.MaxPayload)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for seq := uint16(0); ; seq++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			gen.Fill(pcm)
			n, _ := enc.Encode(pcm, payload)
			p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq,
				Timestamp: uint32(seq) * 160, SSRC: 0xbad}, Payload: payload[:n]}
			b, _ := p.Marshal()
			_, _ = mallory.WriteToUDPAddrPort(b, alice.LocalAddr())
			sent.Add(1)
		}
	}()
	audiotest.WaitFor(t, wait, "mallory's stream", func() bool { return sent.Load() >= 50 })
	audiotest.Hear(t, "alice hears only bob", arec, bobTones, 500)

	// Bob's NAT moves him to its other public port.
	nat.use.Store(1)
	audiotest.Hear(t, "alice hears bob after the NAT rebinding", arec, bobTones, 500)
	mark := brec.Len()
	audiotest.WaitFor(t, wait, "bob hearing alice again", func() bool {
		return brec.Len() > mark+audiotest.Rate/2 &&
			audiotest.ToneProblem(brec.Since(brec.Len()-audiotest.Rate/2), aliceTones) == ""
	})
}
