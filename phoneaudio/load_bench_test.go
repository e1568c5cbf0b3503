package phoneaudio_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone/phonetest"
)

// maxGap is the longest drop-out a listener may hear: beyond 60 ms a gap
// in speech is heard as a click or a lost syllable.
const maxGap = 60 * time.Millisecond

// TestAudioUnderLoad measures, by listening, whether every party of a call
// and of a local conference still hears every other party without a gap
// longer than maxGap while N CPU-bound processes run beside them. Each
// party (a phone of this process with a clocked null device, as in the
// local-conference tests) plays its own tone; for each listener and each
// tone it must hear, the longest run of 10 ms windows in which that tone
// is 20 dB below its median (audiotest.Gaps) is the gap. It never fails
// on a gap: it reports where audio breaks (docs/benchmarks.md, "Audio
// under load"). It only runs with PARLEY_BENCH=1, without -race:
//
//	CGO_ENABLED=1 PARLEY_BENCH=1 go test -count=1 -v -run TestAudioUnderLoad ./phoneaudio/
//
// PARLEY_BENCH_HOGS (default "2,4,8") is the list of N;
// PARLEY_BENCH_PARTIES (default "2,3,6") the sizes (2: one call; 3 and 6:
// a local conference of that many, host included); PARLEY_BENCH_SECONDS
// (default 10) the listening window; PARLEY_BENCH_REPEAT (default 1) runs
// the whole matrix that many times (one 10 s window is decided by a single
// stall, so the figures move from run to run). GOGC and GODEBUG apply as usual, so a
// garbage-collector setting is measured by setting them.
// PARLEY_BENCH_THREAD (shared, locked or realtime; default shared) sets
// how the audio path's goroutines run (audio.ThreadMode): every call's
// pipeline and every null device's clock, which stands for a sound card's
// callback thread.
func TestAudioUnderLoad(t *testing.T) {
	if os.Getenv("PARLEY_BENCH") != "1" {
		t.Skip("benchmark: set PARLEY_BENCH=1 to run it")
	}
	testrig.RealTime(t)
	testrig.Require(t, "kamailio")
	hogs := intList(t, "PARLEY_BENCH_HOGS", "2,4,8")
	sizes := intList(t, "PARLEY_BENCH_PARTIES", "2,3,6")
	secs := 10
	if s := os.Getenv("PARLEY_BENCH_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			t.Fatalf("PARLEY_BENCH_SECONDS=%q", s)
		}
		secs = n
	}
	mode := audio.ThreadShared
	switch m := os.Getenv("PARLEY_BENCH_THREAD"); m {
	case "", "shared":
	case "locked":
		mode = audio.ThreadLocked
	case "realtime":
		mode = audio.ThreadRealtime
	default:
		t.Fatalf("PARLEY_BENCH_THREAD=%q: want shared, locked or realtime", m)
	}
	t.Logf("GOGC=%q GODEBUG=%q audio threads %s, %d s per measurement, gap limit %s", os.Getenv("GOGC"), os.Getenv("GODEBUG"), mode, secs, maxGap)
	repeat := 1
	if s := os.Getenv("PARLEY_BENCH_REPEAT"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			repeat = n
		}
	}
	for r := range repeat {
		for _, size := range sizes {
			for _, n := range hogs {
				t.Run(fmt.Sprintf("run=%d/parties=%d/hogs=%d", r+1, size, n), func(t *testing.T) {
					worst, who := listenUnderLoad(t, size, n, secs, mode)
					verdict := "ok"
					if worst > maxGap {
						verdict = "BREAKS"
					}
					t.Logf("RESULT threads=%s parties=%d hogs=%d run=%d worst_gap=%s (%s) %s load=%s", mode, size, n, r+1, worst, who, verdict, loadavg())
				})
			}
		}
	}
}

func intList(t *testing.T, env, def string) []int {
	s := os.Getenv(env)
	if s == "" {
		s = def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("%s=%q: %v", env, s, err)
		}
		out = append(out, n)
	}
	return out
}

// startHogs starts n busy-looping processes, stopped at cleanup (by pid).
func startHogs(t *testing.T, n int) {
	for range n {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		})
	}
}

// listenUnderLoad sets up size parties (host included), starts n hogs,
// listens for secs seconds and returns the worst gap and who heard it.
func listenUnderLoad(t *testing.T, size, n, secs int, mode audio.ThreadMode) (time.Duration, string) {
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true}
	const hostTone = 440
	tones := []float64{620, 810, 1030, 1270, 1510, 1780}[:size-1]
	he, hrec := loadToneEngine(t, hostTone, mode)
	host := newPhone(t, kam, "host", he, media)
	hev := phonetest.Record(t, host)
	var parties []*confParty
	for i, tone := range tones {
		e, rec := loadToneEngine(t, tone, mode)
		name := fmt.Sprintf("party%d", i)
		p := &confParty{name: name, tone: tone, rec: rec, p: newPhone(t, kam, name, e, media)}
		p.ev = phonetest.Record(t, p.p)
		dial(t, kam, host, hev, p)
		parties = append(parties, p)
	}
	if size > 2 {
		conf, err := conference.NewLocal(host, he)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conf.Close() })
		ss := sessionsOf(t, host, parties...)
		last := len(ss) - 1
		c, err := conf.Start(ctxT(t), ss[last], ss[:last])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = c.Hangup(ctx)
		})
	}
	// Everyone hears everyone before the load starts: what is measured
	// is the load, not the set-up.
	var all []float64
	for _, p := range parties {
		all = append(all, p.tone)
	}
	audiotest.Hear(t, "host", hrec, all, hostTone)
	for _, p := range parties {
		audiotest.Hear(t, p.name, p.rec, hears(p, parties, hostTone), p.tone)
	}
	startHogs(t, n)
	time.Sleep(time.Second) // let the scheduler spread the hogs: this is the measurement's lead-in, not a synchronisation
	marks := map[*audiotest.Recorder]int{hrec: hrec.Len()}
	for _, p := range parties {
		marks[p.rec] = p.rec.Len()
	}
	samples := secs * audiotest.Rate
	var worst time.Duration
	who := "nobody"
	judge := func(name string, rec *audiotest.Recorder, want []float64) {
		x := rec.Wait(t, marks[rec], samples)
		for _, f := range want {
			longest, _ := audiotest.Gaps(x, f)
			if gap := time.Duration(longest) * 10 * time.Millisecond; gap > worst {
				worst, who = gap, fmt.Sprintf("%s hearing %.0f Hz", name, f)
			}
		}
	}
	judge("host", hrec, all)
	for _, p := range parties {
		judge(p.name, p.rec, hears(p, parties, hostTone))
	}
	return worst, who
}

// loadToneEngine is quietToneEngine with the audio threads run as mode.
func loadToneEngine(t *testing.T, freq float64, mode audio.ThreadMode) (*audio.Engine, *audiotest.Recorder) {
	t.Helper()
	rec := &audiotest.Recorder{}
	gen, err := dsp.NewToneGen(audio.SampleRate, 0.1, freq)
	if err != nil {
		t.Fatal(err)
	}
	host := audio.NullHost{Options: []audio.NullOption{audio.WithSink(rec.Sink), audio.WithSource(gen.Fill), audio.WithNullThread(mode)}}
	e, err := audio.NewEngine(host, audio.DeviceConfig{}, audio.WithPipelineThread(mode))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, rec
}

// hears is what party p must hear: the host and, in a conference, every
// other party.
func hears(p *confParty, parties []*confParty, hostTone float64) []float64 {
	want := []float64{hostTone}
	for _, o := range parties {
		if o != p {
			want = append(want, o.tone)
		}
	}
	return want
}
