//go:build bench

package phoneaudio_test

import (
	"fmt"
	"os"
	"path/filepath"
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
)

// measureWindow is how long CPU is sampled once every call is up.
const measureWindow = 10 * time.Second

// TestCPUPerCall compares the CPU our stack (phone + pion ICE/DTLS-SRTP +
// audio engine with Opus) spends per call-second with baresip's, carrying
// the same calls: N calls, each with both ends in the measured stack (ours:
// 2N phones in this process; baresip: N pairs of processes), Opus, DTLS-SRTP,
// a tone on each side. Run with
//
//	go test -tags bench -run TestCPUPerCall -v -timeout 1800s ./audio/phoneaudio
//
// PARLEY_BENCH_CALLS overrides the call counts (default "1,10,50").
func TestCPUPerCall(t *testing.T) {
	testrig.Require(t, "kamailio", "baresip")
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
			cpu, delay := parleyCalls(t, n)
			t.Logf("RESULT parley calls=%d cpu_per_call_second=%.4f playout_delay_avg=%v load=%s", n, cpu, delay, loadavg())
		})
		t.Run(fmt.Sprintf("baresip-%d", n), func(t *testing.T) {
			cpu := baresipCalls(t, n)
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
// process CPU seconds per call-second and the callees' mean playout delay.
func parleyCalls(t *testing.T, n int) (float64, time.Duration) {
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true, Codecs: []string{"opus"}}
	type leg struct {
		p   *phone.Phone
		e   *audio.Engine
		evs *events
	}
	mk := func(user string, freq float64) leg {
		gen, _ := dsp.NewToneGen(audio.SampleRate, 0.3, freq)
		e, err := audio.NewEngine(audio.NullHost{Options: []audio.NullOption{audio.WithSource(gen.Fill)}}, audio.DeviceConfig{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		p := newPhone(t, kam, user, e, media)
		return leg{p: p, e: e, evs: watch(t, p)}
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
		in := callees[i].evs.next(phone.EventCallIncoming)
		if err := callees[i].p.Accept(ctxT(t), in.Call.ID()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		callers[i].evs.next(phone.EventMediaConnected)
		callees[i].evs.next(phone.EventMediaConnected)
	}
	time.Sleep(2 * time.Second) // let the jitter buffers settle
	start, t0 := selfCPU(), time.Now()
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
	cpu := (selfCPU() - start).Seconds() / (time.Since(t0).Seconds() * float64(n))
	return cpu, sum / time.Duration(max(samples, 1))
}

// baresipCalls sets up n calls between n pairs of baresip processes and
// returns their CPU seconds per call-second (both ends of each call).
func baresipCalls(t *testing.T, n int) float64 {
	kam := testrig.StartKamailio(t)
	// Note: the rig plays into ALSA's null PCM ("audio_player alsa,null"),
	// which has no clock; see docs/benchmarks.md for what that does to
	// baresip's figure.
	var all []*testrig.Baresip
	for i := range n {
		caller := testrig.StartBaresip(t, testrig.BaresipOptions{User: fmt.Sprintf("x%d", i), Registrar: kam.UDPAddr, WebRTC: true})
		callee := testrig.StartBaresip(t, testrig.BaresipOptions{User: fmt.Sprintf("y%d", i), Registrar: kam.UDPAddr, WebRTC: true, AutoAnswer: true})
		all = append(all, caller, callee)
		if _, err := caller.Command(ctxT(t), "dial", callee.AOR()); err != nil {
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
		pid := pidOf(t, b.Dir())
		pids = append(pids, pid)
	}
	time.Sleep(2 * time.Second)
	start, t0 := procCPU(pids), time.Now()
	time.Sleep(measureWindow)
	return (procCPU(pids) - start).Seconds() / (time.Since(t0).Seconds() * float64(n))
}

// pidOf finds the baresip process whose command line names dir (-f dir).
func pidOf(t *testing.T, dir string) int {
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
	var ticks int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// After "pid (comm) ", field 3 (state) is f[0]; utime is field 14.
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
