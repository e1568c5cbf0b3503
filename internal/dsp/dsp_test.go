package dsp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// noise returns deterministic white noise of the given peak amplitude.
func noise(n int, amp float64, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, n)
	for i := range out {
		out[i] = toInt16((r.Float64()*2 - 1) * amp)
	}
	return out
}

func add(a, b []int16) []int16 {
	out := make([]int16, len(a))
	for i := range a {
		out[i] = clip16(float64(a[i]) + float64(b[i]))
	}
	return out
}

func TestToneGenLevelAndFrequency(t *testing.T) {
	tests := []struct {
		name  string
		freqs []float64
		amp   float64
	}{
		{"440 half scale", []float64{440}, 0.5},
		{"1 kHz quiet", []float64{1000}, 0.01},
		{"ringback pair", []float64{440, 480}, 0.3},
		{"dtmf 5", []float64{770, 1336}, 0.4},
		{"four tones", []float64{300, 700, 1500, 3100}, 0.2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := Tones(SampleRate, SampleRate/2, tc.amp, tc.freqs...)
			want := DBFS(tc.amp / math.Sqrt2)
			for _, f := range tc.freqs {
				if got := TonedBFS(x, SampleRate, f); math.Abs(got-want) > 0.3 {
					t.Errorf("%v Hz: %.2f dBFS, want %.2f", f, got, want)
				}
			}
			rep := CheckTones(x, ToneCheck{Expected: tc.freqs, MinDBFS: want - 1, UnexpectedDBFS: want - 30})
			if !rep.OK() {
				t.Errorf("report: %v", rep)
			}
			wantRMS := DBFS(tc.amp / math.Sqrt2 * math.Sqrt(float64(len(tc.freqs))))
			if math.Abs(rep.RMSdBFS-wantRMS) > 0.2 {
				t.Errorf("rms %.2f dBFS, want %.2f", rep.RMSdBFS, wantRMS)
			}
		})
	}
}

func TestRMSConvention(t *testing.T) {
	// Our rig measured a 0.5 sine as RMS 0.354 = -9.0 dBFS; keep that scale.
	x := Tones(SampleRate, SampleRate, 0.5, 440)
	if got := RMSdBFS(x); math.Abs(got+9.03) > 0.05 {
		t.Fatalf("RMSdBFS = %.3f, want -9.03", got)
	}
	if got := RMSdBFS(make([]int16, 960)); got != SilenceDBFS {
		t.Fatalf("silence = %v", got)
	}
	if got := RMSdBFS(nil); got != SilenceDBFS {
		t.Fatalf("empty = %v", got)
	}
	if got := PeakLevel([]int16{-32768, 5}); got != 1 {
		t.Fatalf("PeakLevel = %v", got)
	}
}

func TestDominantFrequency(t *testing.T) {
	tests := []struct {
		name string
		x    []int16
		want float64
		tol  float64
	}{
		{"440", Tones(SampleRate, 4800, 0.5, 440), 440, 1},
		{"1234.5", Tones(SampleRate, 9600, 0.5, 1234.5), 1234.5, 1},
		{"loud 697 + quiet 1209", add(Tones(SampleRate, 4800, 0.5, 697), Tones(SampleRate, 4800, 0.05, 1209)), 697, 1},
		{"440 in noise (+10 dB SNR)", add(Tones(SampleRate, 9600, 0.3, 440), noise(9600, 0.1, 1)), 440, 2},
		{"8 kHz rate 1000", Tones(8000, 1600, 0.5, 1000), 1000, 1},
		{"silence", make([]int16, 4800), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rate := SampleRate
			if tc.name == "8 kHz rate 1000" {
				rate = 8000
			}
			if got := DominantFrequency(tc.x, rate); math.Abs(got-tc.want) > tc.tol {
				t.Fatalf("dominant %.2f Hz, want %.2f", got, tc.want)
			}
		})
	}
}

func TestCheckTones(t *testing.T) {
	tone := Tones(SampleRate, 4800, 0.3, 440, 480)
	tests := []struct {
		name           string
		x              []int16
		expected       []float64
		wantMissing    int
		wantUnexpected int
	}{
		{"exact", tone, []float64{440, 480}, 0, 0},
		{"missing 620", tone, []float64{440, 480, 620}, 1, 0},
		{"unexpected 480", tone, []float64{440}, 0, 1},
		{"silence", make([]int16, 4800), []float64{440}, 1, 0},
		{"noise only", noise(4800, 0.01, 2), []float64{440}, 1, 0},
		{"tone in noise", add(tone, noise(4800, 0.01, 3)), []float64{440, 480}, 0, 0},
		{"wrong tone", Tones(SampleRate, 4800, 0.3, 1000), []float64{440}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := CheckTones(tc.x, ToneCheck{Expected: tc.expected})
			if len(rep.Missing) != tc.wantMissing || len(rep.Unexpected) != tc.wantUnexpected {
				t.Fatalf("missing %d unexpected %d, want %d/%d: %v",
					len(rep.Missing), len(rep.Unexpected), tc.wantMissing, tc.wantUnexpected, rep)
			}
		})
	}
}

func TestToneGenRejectsBadInput(t *testing.T) {
	tests := []struct {
		name  string
		amp   float64
		freqs []float64
	}{
		{"above nyquist", 0.5, []float64{30000}},
		{"negative", 0.5, []float64{-1}},
		{"too many", 0.1, []float64{1, 2, 3, 4, 5}},
		{"amp > 1", 2, []float64{440}},
		{"NaN", 0.5, []float64{math.NaN()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewToneGen(SampleRate, tc.amp, tc.freqs...); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestToneGenPhaseContinuity(t *testing.T) {
	// Filling in 20 ms frames equals one long fill: no clicks at frame joins.
	g1, _ := NewToneGen(SampleRate, 0.5, 440, 480)
	g2, _ := NewToneGen(SampleRate, 0.5, 440, 480)
	whole := make([]int16, 10*FrameSamples)
	g1.Fill(whole)
	frame := make([]int16, FrameSamples)
	for i := 0; i < 10; i++ {
		g2.Fill(frame)
		for j, s := range frame {
			if d := int(s) - int(whole[i*FrameSamples+j]); d > 1 || d < -1 {
				t.Fatalf("frame %d sample %d: %d vs %d", i, j, s, whole[i*FrameSamples+j])
			}
		}
	}
}

// cadenceOnOff renders one cycle and returns, per 10 ms block, whether
// tone energy is present.
func cadenceOnOff(t *testing.T, c Cadence, d time.Duration) []bool {
	t.Helper()
	p, err := NewCadencePlayer(c, SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	block := make([]int16, SampleRate/100)
	var on []bool
	for i := 0; i < int(d/(10*time.Millisecond)); i++ {
		p.Fill(block)
		on = append(on, RMSdBFS(block) > -40)
	}
	return on
}

func TestProgressTones(t *testing.T) {
	tests := []struct {
		name    string
		c       Cadence
		freqs   []float64
		onMs    int
		cycleMs int
	}{
		{"ringback EU", Ringback(RegionEU), []float64{425}, 1000, 5000},
		{"ringback NA", Ringback(RegionNA), []float64{440, 480}, 2000, 6000},
		{"busy EU", Busy(RegionEU), []float64{425}, 500, 1000},
		{"busy NA", Busy(RegionNA), []float64{480, 620}, 500, 1000},
		{"ringtone", Ringtone(), []float64{1000, 1250}, 400, 3000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Frequencies of the first burst.
			p, _ := NewCadencePlayer(tc.c, SampleRate)
			first := make([]int16, SampleRate*tc.onMs/1000)
			p.Fill(first)
			if rep := CheckTones(first, ToneCheck{Expected: tc.freqs, UnexpectedDBFS: -45}); !rep.OK() {
				t.Fatalf("tones: %v", rep)
			}
			// Cadence: on for onMs, and the pattern repeats after cycleMs.
			on := cadenceOnOff(t, tc.c, time.Duration(2*tc.cycleMs)*time.Millisecond)
			onBlocks := tc.onMs / 10
			for i := 0; i < onBlocks; i++ {
				if !on[i] {
					t.Fatalf("block %d silent, want tone", i)
				}
			}
			if on[onBlocks] {
				t.Fatalf("block %d has tone, want the first off period", onBlocks)
			}
			cyc := tc.cycleMs / 10
			for i := 0; i < cyc; i++ {
				if on[i] != on[i+cyc] {
					t.Fatalf("cadence does not repeat at block %d", i)
				}
			}
		})
	}
}

func TestDTMF(t *testing.T) {
	// ITU-T Q.23 table.
	want := map[rune][2]float64{
		'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
		'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
		'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
		'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
		'd': {941, 1633},
	}
	for d, f := range want {
		lo, hi, ok := DTMFFreqs(d)
		if !ok || lo != f[0] || hi != f[1] {
			t.Errorf("%c: %v %v %v", d, lo, hi, ok)
		}
		c, ok := DTMFTone(d)
		if !ok {
			t.Fatalf("%c: no tone", d)
		}
		p, err := NewCadencePlayer(c, SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]int16, SampleRate/10) // the 100 ms burst
		p.Fill(x)
		if rep := CheckTones(x, ToneCheck{Expected: f[:]}); !rep.OK() {
			t.Errorf("%c: %v", d, rep)
		}
		p.Fill(x) // 50 ms gap then silence for ever: it plays once
		p.Fill(x)
		if RMSdBFS(x) != SilenceDBFS {
			t.Errorf("%c: DTMF tone repeats", d)
		}
	}
	for _, d := range []rune{'x', 'E', ' ', 0} {
		if _, _, ok := DTMFFreqs(d); ok {
			t.Errorf("%q accepted", d)
		}
	}
}

func TestCadenceRejectsBadInput(t *testing.T) {
	for _, c := range []Cadence{
		{},
		{Segments: []Segment{{Freqs: []float64{440}}}},
		{Amplitude: 0.5, Segments: []Segment{{Freqs: []float64{99999}, Dur: time.Second}}},
	} {
		if _, err := NewCadencePlayer(c, SampleRate); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func resample(r *Resampler, x []int16, frame int) []int16 {
	var out []int16
	buf := make([]int16, r.OutLen(frame))
	for i := 0; i+frame <= len(x); i += frame {
		n, err := r.Process(x[i:i+frame], buf)
		if err != nil {
			panic(err)
		}
		out = append(out, buf[:n]...)
	}
	return out
}

func TestDownsample(t *testing.T) {
	tests := []struct {
		name    string
		freq    float64
		wantDB  float64 // level change, dB
		tolDB   float64
		aliasTo float64 // where an aliased component would land at 8 kHz
	}{
		{"300 Hz passes", 300, 0, 0.1, 0},
		{"1 kHz passes", 1000, 0, 0.1, 0},
		{"3.4 kHz passes", 3400, 0, 0.2, 0},
		{"5 kHz rejected", 5000, -60, 0, 3000},
		{"7 kHz rejected", 7000, -60, 0, 1000},
		{"12 kHz rejected", 12000, -60, 0, 4000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := Tones(SampleRate, SampleRate, 0.5, tc.freq)
			y := resample(NewDownsampler(), x, FrameSamples)
			if len(y) != 8000 {
				t.Fatalf("len %d", len(y))
			}
			y = y[800:] // skip the filter's start-up
			in := DBFS(0.5 / math.Sqrt2)
			if tc.aliasTo == 0 {
				got := TonedBFS(y, 8000, tc.freq) - in
				if math.Abs(got-tc.wantDB) > tc.tolDB {
					t.Fatalf("gain %.3f dB, want %.1f", got, tc.wantDB)
				}
				if f := DominantFrequency(y, 8000); math.Abs(f-tc.freq) > 1 {
					t.Fatalf("dominant %.1f", f)
				}
				return
			}
			if got := RMSdBFS(y) - in; got > tc.wantDB {
				t.Fatalf("alias level %.1f dB, want below %.0f", got, tc.wantDB)
			}
		})
	}
}

func TestUpsample(t *testing.T) {
	tests := []struct{ freq float64 }{{300}, {1000}, {3000}, {3400}}
	for _, tc := range tests {
		t.Run("", func(t *testing.T) {
			x := Tones(8000, 8000, 0.5, tc.freq)
			y := resample(NewUpsampler(), x, 160)
			if len(y) != SampleRate {
				t.Fatalf("len %d", len(y))
			}
			y = y[4800:]
			in := DBFS(0.5 / math.Sqrt2)
			if got := TonedBFS(y, SampleRate, tc.freq) - in; math.Abs(got) > 0.2 {
				t.Fatalf("gain %.3f dB", got)
			}
			// Images at 8k±f must be suppressed.
			rep := CheckTones(y, ToneCheck{Expected: []float64{tc.freq}, UnexpectedDBFS: in - 55})
			if !rep.OK() {
				t.Fatalf("%v", rep)
			}
		})
	}
}

func TestResampleRoundTrip(t *testing.T) {
	x := Tones(SampleRate, SampleRate, 0.4, 697, 1477)
	down, up := NewDownsampler(), NewUpsampler()
	mid := resample(down, x, FrameSamples)
	y := resample(up, mid, 160)
	if rep := CheckTones(y[4800:], ToneCheck{Expected: []float64{697, 1477}, MinDBFS: DBFS(0.4/math.Sqrt2) - 0.5}); !rep.OK() {
		t.Fatalf("%v", rep)
	}
	if _, err := down.Process(x[:960], make([]int16, 10)); err == nil {
		t.Fatal("small buffer accepted")
	}
}

// The 16 kHz resampler keeps G.722's 50-7000 Hz band and rejects what
// would alias into it.
func TestDownsample16k(t *testing.T) {
	tests := []struct {
		name   string
		freq   float64
		wantDB float64 // level change, dB (passband) or ceiling (rejected)
		tolDB  float64
		pass   bool
	}{
		{"50 Hz passes", 50, 0, 0.1, true},
		{"1 kHz passes", 1000, 0, 0.1, true},
		{"6.8 kHz passes", 6800, 0, 0.1, true},
		{"7 kHz passes", 7000, 0, 0.1, true},
		{"9.2 kHz rejected", 9200, -60, 0, false},
		{"12 kHz rejected", 12000, -60, 0, false},
		{"15 kHz rejected", 15000, -60, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewDownsamplerTo(16000)
			if err != nil {
				t.Fatal(err)
			}
			if r.Factor() != 3 {
				t.Fatalf("factor %d", r.Factor())
			}
			x := Tones(SampleRate, SampleRate, 0.5, tc.freq)
			y := resample(r, x, FrameSamples)
			if len(y) != 16000 {
				t.Fatalf("len %d", len(y))
			}
			y = y[1600:]
			in := DBFS(0.5 / math.Sqrt2)
			if tc.pass {
				if got := TonedBFS(y, 16000, tc.freq) - in; math.Abs(got-tc.wantDB) > tc.tolDB {
					t.Fatalf("gain %.3f dB, want %.1f", got, tc.wantDB)
				}
				if f := DominantFrequency(y, 16000); math.Abs(f-tc.freq) > 1 {
					t.Fatalf("dominant %.1f", f)
				}
				return
			}
			if got := RMSdBFS(y) - in; got > tc.wantDB {
				t.Fatalf("alias level %.1f dB, want below %.0f", got, tc.wantDB)
			}
		})
	}
}

func TestUpsample16k(t *testing.T) {
	for _, f := range []float64{100, 1000, 3400, 6000, 7000} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			r, err := NewUpsamplerFrom(16000)
			if err != nil {
				t.Fatal(err)
			}
			x := Tones(16000, 16000, 0.5, f)
			y := resample(r, x, 320)
			if len(y) != SampleRate {
				t.Fatalf("len %d", len(y))
			}
			y = y[4800:]
			in := DBFS(0.5 / math.Sqrt2)
			if got := TonedBFS(y, SampleRate, f) - in; math.Abs(got) > 0.1 {
				t.Fatalf("gain %.3f dB", got)
			}
			// Images at 16k±f must be suppressed.
			rep := CheckTones(y, ToneCheck{Expected: []float64{f}, UnexpectedDBFS: in - 55})
			if !rep.OK() {
				t.Fatalf("%v", rep)
			}
		})
	}
}

func TestResamplerRates(t *testing.T) {
	tests := []struct {
		rate   int
		factor int
		ok     bool
	}{
		{8000, 6, true}, {16000, 3, true}, {24000, 2, true}, {12000, 4, true},
		{48000, 0, false}, {44100, 0, false}, {0, 0, false}, {-8000, 0, false}, {7000, 0, false},
	}
	for _, tc := range tests {
		d, err1 := NewDownsamplerTo(tc.rate)
		u, err2 := NewUpsamplerFrom(tc.rate)
		if !tc.ok {
			if !errors.Is(err1, ErrResampleRate) || !errors.Is(err2, ErrResampleRate) {
				t.Errorf("%d Hz: %v, %v", tc.rate, err1, err2)
			}
			continue
		}
		if err1 != nil || err2 != nil || d.Factor() != tc.factor || u.Factor() != tc.factor {
			t.Errorf("%d Hz: %v, %v", tc.rate, err1, err2)
		}
	}
}

func BenchmarkToneGenFill(b *testing.B) {
	g, _ := NewToneGen(SampleRate, 0.3, 440, 480)
	buf := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		g.Fill(buf)
	}
}

func BenchmarkCadenceFill(b *testing.B) {
	p, _ := NewCadencePlayer(Ringback(RegionNA), SampleRate)
	buf := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		p.Fill(buf)
	}
}

func BenchmarkToneRMS(b *testing.B) {
	x := Tones(SampleRate, FrameSamples, 0.3, 440)
	b.ReportAllocs()
	for b.Loop() {
		_ = ToneRMS(x, SampleRate, 440)
	}
}

func BenchmarkRMS(b *testing.B) {
	x := Tones(SampleRate, FrameSamples, 0.3, 440)
	b.ReportAllocs()
	for b.Loop() {
		_ = RMS(x)
	}
}

func BenchmarkSpectrumDominant(b *testing.B) {
	x := Tones(SampleRate, 4096, 0.3, 440)
	s, _ := NewSpectrum(SampleRate, 4096)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.Dominant(x, 20)
	}
}

func BenchmarkDownsampleFrame(b *testing.B) {
	r := NewDownsampler()
	x := Tones(SampleRate, FrameSamples, 0.3, 440)
	out := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.Process(x, out)
	}
}

func BenchmarkUpsampleFrame(b *testing.B) {
	r := NewUpsampler()
	x := Tones(8000, 160, 0.3, 440)
	out := make([]int16, FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.Process(x, out)
	}
}

func TestWAVRoundTrip(t *testing.T) {
	x := Tones(SampleRate, 1000, 0.5, 440)
	var b bytesBuffer
	if err := WriteWAV(&b, SampleRate, x); err != nil {
		t.Fatal(err)
	}
	rate, y, err := ReadWAV(b)
	if err != nil || rate != SampleRate || len(y) != len(x) {
		t.Fatalf("rate %d len %d err %v", rate, len(y), err)
	}
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("sample %d", i)
		}
	}
	for _, bad := range [][]byte{nil, []byte("RIFF1234WAVE"), b[:30], []byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff")} {
		if _, _, err := ReadWAV(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

func FuzzReadWAV(f *testing.F) {
	var b bytesBuffer
	_ = WriteWAV(&b, 8000, []int16{1, -2, 3})
	f.Add([]byte(b))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) { _, _, _ = ReadWAV(data) })
}
