package demo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/sipua"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/wazo"
)

const waitLong = 30 * time.Second

type phone struct{ in chan *sipua.Incoming }

func (p *phone) OnRegistration(sipua.RegState)                    {}
func (p *phone) OnIncoming(_ context.Context, in *sipua.Incoming) { p.in <- in }

func startDemo(t *testing.T) *Demo {
	t.Helper()
	d, err := Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func register(t *testing.T, d *Demo) *phone {
	t.Helper()
	p := &phone{in: make(chan *sipua.Incoming, 2)}
	ua, err := sipua.New(sipua.Config{Transport: "wss", Server: d.Host(), WSPath: d.WSPath(), Domain: d.HostName(),
		Username: d.LineUsername(), Password: d.LinePassword(), TLSConfig: d.TLSConfig()}, p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 5*time.Second)
		defer cc()
		_ = ua.Close(c)
	})
	if err := ua.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDemoLoginWithPin(t *testing.T) {
	d := startDemo(t)
	c, err := wazo.NewClient(d.Host(), wazo.WithPinnedCertificate(d.CertificateSHA256()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	s, err := c.Login(ctx, d.Username(), d.Password())
	if err != nil {
		t.Fatalf("login to the demo server: %v", err)
	}
	_ = s
	if len(d.CertificatePin()) != 64 {
		t.Fatalf("pin %q", d.CertificatePin())
	}
}

func TestDemoRingMe(t *testing.T) {
	d := startDemo(t)
	if _, err := d.RingMe("1001"); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("RingMe before registration: %v, want ErrNotRegistered", err)
	}
	p := register(t, d)
	for _, tc := range []struct {
		from    string
		wantErr bool
		freq    float64
		name    string
	}{
		{"1003", true, 0, ""},
		{"1002", false, wazostandin.ChordE5Hz, "Chord Bot"},
		{"", false, wazostandin.ToneBotHz, "Tone Bot"},
	} {
		t.Run("from "+tc.from, func(t *testing.T) {
			rc, err := d.RingMe(tc.from)
			if tc.wantErr {
				if err == nil {
					t.Fatal("busy bot placed a call")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var in *sipua.Incoming
			select {
			case in = <-p.in:
			case <-time.After(waitLong):
				t.Fatal("no INVITE")
			}
			if in.From.DisplayName != tc.name {
				t.Fatalf("caller %q, want %q", in.From.DisplayName, tc.name)
			}
			got := answerAndListen(t, in)
			if dsp.ToneRMS(got, codec.SampleRate, tc.freq) < 0.03 {
				t.Fatalf("%.2f Hz at %.3f RMS, want the bot's tone", tc.freq, dsp.ToneRMS(got, codec.SampleRate, tc.freq))
			}
			rc.Hangup()
			select {
			case <-rc.Done():
			case <-time.After(waitLong):
				t.Fatal("call did not end")
			}
		})
	}
}

// answerAndListen answers with a real rtc session and returns 0.5 s of the
// audio received after the first 0.5 s.
func answerAndListen(t *testing.T, in *sipua.Incoming) []int16 {
	t.Helper()
	s, err := rtc.NewSession(rtc.Config{IncludeLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	ans, err := s.Answer(ctx, in.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Answer(ans); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	_, dec, err := codec.New(s.Codec())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var pcm []int16
	buf := make([]int16, codec.MaxFrameSamples)
	s.SetRTPHandler(func(p *rtp.Packet) {
		n, err := dec.Decode(p.Payload, buf)
		if err != nil {
			return
		}
		mu.Lock()
		pcm = append(pcm, buf[:n]...)
		mu.Unlock()
	})
	for ctx.Err() == nil {
		mu.Lock()
		if len(pcm) >= codec.SampleRate {
			out := append([]int16(nil), pcm[codec.SampleRate/2:codec.SampleRate]...)
			mu.Unlock()
			return out
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no audio")
	return nil
}
