package phoneaudio_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// measureWindow is how long CPU is sampled once every call is up.
const measureWindow = 10 * time.Second

// baresipOpus sets baresip's Opus encoder like Parley's (internal/codec
// defaults): mono, 32 kb/s, complexity 9, in-band FEC for 5 % loss, VoIP
// application, no DTX. baresip's own defaults (stereo, complexity 10,
// "audio" application, no FEC) cost it more; PARLEY_BENCH_BARESIP_OPUS=default
// keeps them.
var baresipOpus = []string{
	"opus_stereo no",
	"opus_sprop_stereo no",
	"opus_bitrate 32000",
	"opus_complexity 9",
	"opus_application voip",
	"opus_inbandfec yes",
	"opus_packet_loss 5",
	"opus_dtx no",
}

// baresipOptions are the options of every measured baresip.
func baresipOptions(user, registrar, player string, autoAnswer bool) testrig.BaresipOptions {
	o := testrig.BaresipOptions{User: user, Registrar: registrar, WebRTC: true, AutoAnswer: autoAnswer, Player: player}
	if os.Getenv("PARLEY_BENCH_BARESIP_OPUS") != "default" {
		o.ExtraConfig = baresipOpus
	}
	return o
}

// TestCPUPerCall compares the CPU our stack (phone + pion ICE/DTLS-SRTP +
// audio engine with Opus) spends per call-second with baresip's, carrying
// the same calls: N calls, each with both ends in the measured stack (ours:
// 2N phones in this process; baresip: N pairs of processes), Opus, DTLS-SRTP,
// ICE, rtcp-mux, a tone on each side. kamailio is not counted. It only runs
// with PARLEY_BENCH=1 (it needs minutes and both cores):
//
//	PARLEY_BENCH=1 go test -run TestCPUPerCall -v -count=1 -timeout 1800s ./phoneaudio
//
// PARLEY_BENCH_CALLS overrides the call counts (default "1,10,50").
// PARLEY_BENCH_BARESIP_PLAYER overrides baresip's audio_player (default
// testrig.PlayerBridge, a clocked path without a spinning thread; "alsa,null"
// reproduces the old, spinning configuration). baresip's Opus encoder is set
// like ours (see baresipOpus); PARLEY_BENCH_BARESIP_OPUS=default keeps
// baresip's own Opus defaults.
//
// The subtest baresip-idle first shows that baresip's audio path is idle:
// a registered baresip without a call, then each process of one call, with
// its busiest thread.
func TestCPUPerCall(t *testing.T) {
	if os.Getenv("PARLEY_BENCH") != "1" {
		t.Skip("benchmark: set PARLEY_BENCH=1 to run it")
	}
	testrig.Require(t, "kamailio", "baresip")
	player := testrig.PlayerBridge
	if s := os.Getenv("PARLEY_BENCH_BARESIP_PLAYER"); s != "" {
		player = s
	}
	t.Logf("baresip audio_player %s, Opus settings %q (PARLEY_BENCH_BARESIP_OPUS=%q)", player, baresipOptions("", "", player, false).ExtraConfig, os.Getenv("PARLEY_BENCH_BARESIP_OPUS"))
	t.Run("baresip-idle", func(t *testing.T) { baresipIdle(t, player) })
	counts := []int{1, 10, 50}
	if s := os.Getenv("PARLEY_BENCH_CALLS"); s != "" {
		counts = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
		}
	}
	for _, n := range counts {
		t.Run(fmt.Sprintf("parley-%d", n), func(t *testing.T) {
			cpu, delay, done := parleyCalls(t, n)
			t.Logf("RESULT parley calls=%d cpu_per_call_second=%.4f playout_delay_avg=%v frames_sent=%.0f%% load=%s", n, cpu, delay, 100*done, loadavg())
		})
		t.Run(fmt.Sprintf("baresip-%d", n), func(t *testing.T) {
			cpu := baresipCalls(t, n, player)
			t.Logf("RESULT baresip calls=%d cpu_per_call_second=%.4f load=%s", n, cpu, loadavg())
		})
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parleyCalls sets up n calls between 2n phones of this process and returns
// process CPU seconds per call-second, the callees' mean playout delay and
// the share of the expected frames that were sent (1.0 unless starved).
func parleyCalls(t *testing.T, n int) (cpu float64, delay time.Duration, framesDone float64) {
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true, Codecs: []string{"opus"}}
	type leg struct {
		p   *phone.Phone
		e   *audio.Engine
		evs *phonetest.Recorder
	}
	mk := func(user string, freq float64) leg {
		gen, _ := dsp.NewToneGen(audio.SampleRate, 0.3, freq)
		e, err := audio.NewEngine(audio.NullHost{Options: []audio.NullOption{audio.WithSource(gen.Fill)}}, audio.DeviceConfig{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		p := newPhone(t, kam, user, e, media)
		return leg{p: p, e: e, evs: phonetest.Record(t, p)}
	}
	var callers, callees []leg
	for i := range n {
		callers = append(callers, mk(fmt.Sprintf("a%d", i), 440))
		callees = append(callees, mk(fmt.Sprintf("b%d", i), 1000))
	}
	for i := range n {
		if _, err := callers[i].p.Call(ctxT(t), fmt.Sprintf("sip:b%d@%s", i, kam.UDPAddr)); err != nil {
			t.Fatal(err)
		}
		in := callees[i].evs.Next(phone.EventCallIncoming)
		if err := callees[i].p.Accept(ctxT(t), in.Call.ID()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		callers[i].evs.Next(phone.EventMediaConnected)
		callees[i].evs.Next(phone.EventMediaConnected)
	}
	time.Sleep(2 * time.Second) // let the jitter buffers settle
	framesSent := func() (n uint64) {
		for _, l := range append(slices.Clone(callers), callees...) {
			for _, p := range l.e.Pipelines() {
				n += p.Stats().FramesSent
			}
		}
		return n
	}
	start, sent0, t0 := selfCPU(), framesSent(), time.Now()
	var sum time.Duration
	var samples int
	for time.Since(t0) < measureWindow {
		time.Sleep(500 * time.Millisecond)
		for _, c := range callees {
			for _, p := range c.e.Pipelines() {
				sum += p.Stats().PlayoutDelay
				samples++
			}
		}
	}
	secs := time.Since(t0).Seconds()
	cpu = (selfCPU() - start).Seconds() / (secs * float64(n))
	// Each of the 2n pipelines should send 50 frames (20 ms) a second; a
	// starved process skips device periods and so does less work.
	done := float64(framesSent()-sent0) / (secs * 50 * float64(2*n))
	return cpu, sum / time.Duration(max(samples, 1)), done
}

// baresipCalls sets up n calls between n pairs of baresip processes and
// returns their CPU seconds per call-second (both ends of each call).
// Both ends send ausine's 440 Hz tone (48 kHz stereo, as the Opus
// encoder takes it) and decode what they receive into player.
func baresipCalls(t *testing.T, n int, player string) float64 {
	kam := testrig.StartKamailio(t)
	pids := baresipPairs(t, kam, n, player)
	time.Sleep(2 * time.Second)
	start, t0 := procCPU(pids), time.Now()
	time.Sleep(measureWindow)
	return (procCPU(pids) - start).Seconds() / (time.Since(t0).Seconds() * float64(n))
}

// baresipPairs sets up n calls between n pairs of baresip processes
// (WebRTC profile: Opus, DTLS-SRTP, ICE, rtcp-mux) and returns their pids,
// caller then callee for each call.
func baresipPairs(t *testing.T, kam *testrig.Kamailio, n int, player string) []int {
	// Start and register every process before the first call: starting
	// one (modules, DTLS certificate) while many calls already run starves
	// the 2-core VM and registrations time out.
	var all []*testrig.Baresip
	for i := range n {
		caller := testrig.StartBaresip(t, baresipOptions(fmt.Sprintf("x%d", i), kam.UDPAddr, player, false))
		callee := testrig.StartBaresip(t, baresipOptions(fmt.Sprintf("y%d", i), kam.UDPAddr, player, true))
		all = append(all, caller, callee)
	}
	for i := 0; i < len(all); i += 2 {
		if _, err := all[i].Command(ctxT(t), "dial", all[i+1].AOR()); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range all {
		if _, err := b.WaitEvent(ctxT(t), "CALL_ESTABLISHED"); err != nil {
			t.Fatalf("baresip call: %v\n%s", err, b.Log())
		}
	}
	var pids []int
	for _, b := range all {
		pids = append(pids, pidOf(t, b.Dir()))
	}
	return pids
}

// baresipIdle shows where baresip's CPU goes with player: a registered
// process without a call, then both processes of one call, each with its
// busiest thread (a spinning audio thread shows as one thread near 1.0).
func baresipIdle(t *testing.T, player string) {
	kam := testrig.StartKamailio(t)
	idle := testrig.StartBaresip(t, baresipOptions("idle", kam.UDPAddr, player, false))
	idlePid := pidOf(t, idle.Dir())
	pids := baresipPairs(t, kam, 1, player)
	time.Sleep(2 * time.Second)
	all := append([]int{idlePid}, pids...)
	names := []string{"no call", "caller", "callee"}
	before := make([]map[string]time.Duration, len(all))
	for i, pid := range all {
		before[i] = threadCPU(pid)
	}
	t0 := time.Now()
	time.Sleep(measureWindow)
	secs := time.Since(t0).Seconds()
	for i, pid := range all {
		after := threadCPU(pid)
		var total, top time.Duration
		var topName string
		for tid, c := range after {
			d := c - before[i][tid]
			total += d
			if d > top {
				top, topName = d, tid
			}
		}
		t.Logf("RESULT baresip-idle %s pid=%d cpu_per_second=%.4f busiest_thread=%s %.4f", names[i], pid, total.Seconds()/secs, topName, top.Seconds()/secs)
	}
	baresipHearsTone(t, kam, player)
}

// baresipHearsTone proves that with player a baresip call carries audio:
// a callee that also records (sndfile, a decode filter) must have decoded
// the caller's 440 Hz ausine tone.
func baresipHearsTone(t *testing.T, kam *testrig.Kamailio, player string) {
	caller := testrig.StartBaresip(t, baresipOptions("tx", kam.UDPAddr, player, false))
	ro := baresipOptions("rx", kam.UDPAddr, player, true)
	ro.RecordWAV = filepath.Join(t.TempDir(), "rx.wav")
	callee := testrig.StartBaresip(t, ro)
	if _, err := caller.Command(ctxT(t), "dial", callee.AOR()); err != nil {
		t.Fatal(err)
	}
	if _, err := callee.WaitEvent(ctxT(t), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("%v\n%s", err, callee.Log())
	}
	time.Sleep(3 * time.Second)
	if _, err := caller.Command(ctxT(t), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := callee.WaitEvent(ctxT(t), "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	path, err := callee.SaveRecording(ctxT(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, callee.Log())
	}
	w, err := testrig.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	mono := firstChannel(w)
	if len(mono) < 2*w.Rate {
		t.Fatalf("baresip recorded only %d samples", len(mono))
	}
	x := mono[w.Rate : len(mono)-w.Rate/4]
	l := dsp.TonedBFS(x, w.Rate, 440)
	t.Logf("baresip callee with player %s decoded %.1f s, 440 Hz at %.1f dBFS", player, float64(len(mono))/float64(w.Rate), l)
	if l < -30 {
		t.Errorf("baresip with player %s did not decode the caller's tone (440 Hz at %.1f dBFS)", player, l)
	}
}

// threadCPU returns utime + stime per thread of pid, keyed "tid(comm)".
func threadCPU(pid int) map[string]time.Duration {
	m := map[string]time.Duration{}
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, e := range ents {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, e.Name()))
		if err != nil {
			continue
		}
		comm, d := statCPU(string(b))
		m[e.Name()+"("+comm+")"] = d
	}
	return m
}

// pidOf finds the baresip process whose command line names dir (-f dir).
func pidOf(t testing.TB, dir string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if len(args) > 0 && strings.HasSuffix(args[0], "baresip") && strings.Contains(string(cmd), dir) {
			return pid
		}
	}
	t.Fatalf("no baresip process for %s", dir)
	return 0
}

// procCPU sums utime + stime (/proc/<pid>/stat fields 14 and 15, in clock
// ticks of 1/100 s on Linux) over pids.
func procCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		_, d := statCPU(string(b))
		total += d
	}
	return total
}

// statCPU parses a /proc/<pid>/stat (or task stat) line: comm and
// utime + stime (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func statCPU(s string) (string, time.Duration) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 > len(s) {
		return "", 0
	}
	f := strings.Fields(s[end+2:])
	if len(f) < 13 {
		return s[open+1 : end], 0
	}
	// After "pid (comm) ", field 3 (state) is f[0]; utime is field 14.
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return s[open+1 : end], time.Duration(u+st) * 10 * time.Millisecond
}
