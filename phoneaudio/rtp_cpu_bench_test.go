package phoneaudio_test

import (
	"os"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// rtpWindow is how long each iteration of BenchmarkPlainRTPCallCPU samples
// CPU; PARLEY_BENCH_WINDOW overrides it (a Go duration).
func rtpWindow(b *testing.B) time.Duration {
	if s := os.Getenv("PARLEY_BENCH_WINDOW"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	return measureWindow
}

// BenchmarkPlainRTPCallCPU measures the CPU of one established classic
// call (plain RTP/AVP, PCMU, no SRTP, no ICE: the MediaRTP path) through
// kamailio, with a tone on each side, in three pairings measured in the
// same run:
//
//   - parley-parley: both ends are phone.Phones of this process, each with
//     its own audio.Engine on a null device; the figure is the process's
//     user + system CPU (getrusage RUSAGE_SELF), for both ends.
//   - parley-baresip: a Parley caller and a baresip callee in the same
//     call; Parley's end is this process's CPU, baresip's end its
//     /proc/<pid>/stat utime + stime. This is the like-for-like per-end
//     comparison: each stack carries one end of the same RTP stream.
//   - baresip-baresip: both ends are baresip processes (g711 only, the
//     clocked aubridge player of TestCPUPerCall); the figure is the sum.
//
// Each iteration samples CPU over one window (10 s) once the call is up and
// has settled for 2 s. Metrics are CPU seconds per call-second (1.0 = one
// core busy): cpu-s/call-s for both ends, and per end where the two ends
// are measured apart. Benchmarks only run with -bench:
//
//	CGO_ENABLED=1 go test -run '^$' -bench BenchmarkPlainRTPCallCPU -benchtime 1x -timeout 600s ./phoneaudio
func BenchmarkPlainRTPCallCPU(b *testing.B) {
	testrig.Require(b, "kamailio", "baresip")
	window := rtpWindow(b)
	media := rtc.Config{IncludeLoopback: true, Codecs: []string{"pcmu"}}
	plainBaresip := func(kam *testrig.Kamailio, user string, autoAnswer bool) *testrig.Baresip {
		return testrig.StartBaresip(b, testrig.BaresipOptions{User: user, Registrar: kam.UDPAddr,
			AutoAnswer: autoAnswer, Player: testrig.PlayerBridge, Codecs: []string{"g711.so"}})
	}
	mkParley := func(b *testing.B, kam *testrig.Kamailio, user string, freq float64) (*phone.Phone, *audio.Engine, *phonetest.Recorder) {
		gen, _ := dsp.NewToneGen(audio.SampleRate, 0.3, freq)
		e, err := audio.NewEngine(audio.NullHost{Options: []audio.NullOption{audio.WithSource(gen.Fill)}}, audio.DeviceConfig{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = e.Close() })
		p := newPhone(b, kam, user, e, media, phone.WithMediaPath(phone.MediaRTP))
		return p, e, phonetest.Record(b, p)
	}
	// sample runs b.N windows and returns the CPU seconds per second of
	// this process and of pids. With engines, it also reports the share of
	// the expected 20 ms frames they sent (1.0 unless starved) and the
	// frames they concealed, so a call without audio cannot pass as cheap.
	sample := func(b *testing.B, pids []int, engines ...*audio.Engine) (selfRate, procRate float64) {
		stats := func() (sent, concealed uint64) {
			for _, e := range engines {
				for _, p := range e.Pipelines() {
					s := p.Stats()
					sent += s.FramesSent
					concealed += s.ConcealedFrames
				}
			}
			return sent, concealed
		}
		b.ResetTimer()
		var selfD, procD time.Duration
		var secs float64
		sent0, conc0 := stats()
		for range b.N {
			s0, p0, t0 := selfCPU(), procCPU(pids), time.Now()
			time.Sleep(window)
			secs += time.Since(t0).Seconds()
			selfD += selfCPU() - s0
			procD += procCPU(pids) - p0
		}
		b.StopTimer()
		if len(engines) > 0 {
			sent, conc := stats()
			b.ReportMetric(float64(sent-sent0)/(secs*50*float64(len(engines))), "frames-sent-share")
			b.ReportMetric(float64(conc-conc0), "frames-concealed")
			if sent == sent0 {
				b.Fatal("no frame was sent: the call carries no audio")
			}
		}
		b.Logf("load average at the end: %s", loadavg())
		return selfD.Seconds() / secs, procD.Seconds() / secs
	}

	b.Run("parley-parley", func(b *testing.B) {
		kam := testrig.StartKamailio(b)
		caller, ce, cev := mkParley(b, kam, "a", 440)
		callee, ee, eev := mkParley(b, kam, "b", 1000)
		if _, err := caller.Call(ctxT(b), "sip:b@"+kam.UDPAddr); err != nil {
			b.Fatal(err)
		}
		in := eev.Next(phone.EventCallIncoming)
		if err := callee.Accept(ctxT(b), in.Call.ID()); err != nil {
			b.Fatal(err)
		}
		if acc := cev.Next(phone.EventCallAccepted); acc.Call.MediaSecurity != phone.MediaSecurityPlain {
			b.Fatalf("media %q, want plain RTP", acc.Call.MediaSecurity)
		}
		cev.Next(phone.EventMediaConnected)
		eev.Next(phone.EventMediaConnected)
		time.Sleep(2 * time.Second)
		both, _ := sample(b, nil, ce, ee)
		b.ReportMetric(both, "cpu-s/call-s")
		b.ReportMetric(both/2, "cpu-s/end-s")
	})

	b.Run("parley-baresip", func(b *testing.B) {
		kam := testrig.StartKamailio(b)
		bob := plainBaresip(kam, "bob", true)
		p, e, ev := mkParley(b, kam, "alice", 440)
		if _, err := p.Call(ctxT(b), "sip:bob@"+kam.UDPAddr); err != nil {
			b.Fatal(err)
		}
		if acc := ev.Next(phone.EventCallAccepted); acc.Call.MediaSecurity != phone.MediaSecurityPlain {
			b.Fatalf("media %q, want plain RTP", acc.Call.MediaSecurity)
		}
		ev.Next(phone.EventMediaConnected)
		if _, err := bob.WaitEvent(ctxT(b), "CALL_ESTABLISHED"); err != nil {
			b.Fatalf("%v\n%s", err, bob.Log())
		}
		time.Sleep(2 * time.Second)
		parley, baresip := sample(b, []int{pidOf(b, bob.Dir())}, e)
		b.ReportMetric(parley, "parley-cpu-s/end-s")
		b.ReportMetric(baresip, "baresip-cpu-s/end-s")
		b.ReportMetric(parley+baresip, "cpu-s/call-s")
	})

	b.Run("baresip-baresip", func(b *testing.B) {
		kam := testrig.StartKamailio(b)
		x, y := plainBaresip(kam, "x", false), plainBaresip(kam, "y", true)
		if _, err := x.Command(ctxT(b), "dial", y.AOR()); err != nil {
			b.Fatal(err)
		}
		for _, bs := range []*testrig.Baresip{x, y} {
			if _, err := bs.WaitEvent(ctxT(b), "CALL_ESTABLISHED"); err != nil {
				b.Fatalf("%v\n%s", err, bs.Log())
			}
		}
		time.Sleep(2 * time.Second)
		_, both := sample(b, []int{pidOf(b, x.Dir()), pidOf(b, y.Dir())})
		b.ReportMetric(both, "cpu-s/call-s")
		b.ReportMetric(both/2, "cpu-s/end-s")
	})
}
