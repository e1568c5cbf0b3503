package codec

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-voip/parley/internal/dsp"
)

var g722Params = Params{Name: NameG722, ClockRate: 8000, Channels: 1, PayloadType: 9}

// g722Delay is the coder's delay at 16 kHz: the transmit and receive QMFs
// (24 taps each) together delay the signal by 22 samples (1.4 ms).
const g722Delay = 22

// g722Code runs the bare coder over x (16 kHz) and returns what the
// decoder in the given mode made of it.
func g722Code(t testing.TB, x []int16, bitrate int) ([]byte, []int16) {
	t.Helper()
	data := make([]byte, len(x)/2)
	if n, err := NewG722Encoder().Encode(x, data); err != nil || n != len(data) {
		t.Fatalf("encode: %d %v", n, err)
	}
	dec, err := NewG722Decoder(bitrate)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]int16, len(x))
	if n, err := dec.Decode(data, y); err != nil || n != len(x) {
		t.Fatalf("decode: %d %v", n, err)
	}
	return data, y
}

// codedSNR compares y against x across the coder's delay, skipping the
// first 50 ms while the backward adaptation settles.
func codedSNR(x, y []int16) float64 {
	const skip = 800
	return snrDB(x[skip:len(x)-g722Delay], y[skip+g722Delay:])
}

// The bare coder on tones: the waveform comes back (SNR above the stated
// bound), at its frequency and level. G.722 spends 6 bits on the lower
// sub-band (0-4 kHz) and 2 on the higher (4-8 kHz), hence the two bounds.
func TestG722ToneSNR(t *testing.T) {
	tests := []struct {
		freq   float64
		amp    float64
		minSNR float64
	}{
		{300, 0.5, 55}, {300, 0.01, 33},
		{1000, 0.5, 42}, {1000, 0.1, 42}, {1000, 0.01, 33},
		{3000, 0.3, 38}, {3000, 0.01, 30},
		{5000, 0.3, 18}, {6500, 0.1, 18}, {7000, 0.3, 18}, {7000, 0.01, 18},
	}
	for _, tc := range tests {
		x := dsp.Tones(g722AudioRate, g722AudioRate, tc.amp, tc.freq)
		_, y := g722Code(t, x, G722Rate64k)
		snr := codedSNR(x, y)
		if snr < tc.minSNR {
			t.Errorf("%v Hz at %.2f: SNR %.1f dB, want ≥ %.0f", tc.freq, tc.amp, snr, tc.minSNR)
		}
		t.Logf("%v Hz at %.2f: SNR %.1f dB", tc.freq, tc.amp, snr)
		in := dsp.DBFS(tc.amp / math.Sqrt2)
		if got := dsp.TonedBFS(y[800:], g722AudioRate, tc.freq); math.Abs(got-in) > 0.2 {
			t.Errorf("%v Hz at %.2f: level %.2f dBFS, want %.2f", tc.freq, tc.amp, got, in)
		}
		if f := dsp.DominantFrequency(y[800:], g722AudioRate); math.Abs(f-tc.freq) > 2 {
			t.Errorf("%v Hz at %.2f: dominant %.1f Hz", tc.freq, tc.amp, f)
		}
	}
}

// The 56 and 48 kbit/s modes decode the same stream with one and two bits
// fewer in the lower sub-band: still the tone, at lower SNR, and the
// higher sub-band is untouched.
func TestG722DecodeModes(t *testing.T) {
	tests := []struct {
		bitrate int
		minSNR  float64 // 1 kHz
	}{
		{G722Rate64k, 42}, {G722Rate56k, 38}, {G722Rate48k, 32},
	}
	x := dsp.Tones(g722AudioRate, g722AudioRate, 0.3, 1000)
	_, full := g722Code(t, x, G722Rate64k)
	fullSNR := codedSNR(x, full)
	hx := dsp.Tones(g722AudioRate, g722AudioRate, 0.3, 6000)
	_, ref := g722Code(t, hx, G722Rate64k)
	for _, tc := range tests {
		_, y := g722Code(t, x, tc.bitrate)
		snr := codedSNR(x, y)
		t.Logf("%d bit/s: 1 kHz SNR %.1f dB", tc.bitrate, snr)
		if snr < tc.minSNR {
			t.Errorf("%d bit/s: 1 kHz SNR %.1f dB, want ≥ %.0f", tc.bitrate, snr, tc.minSNR)
		}
		// Each bit fewer costs about 6 dB.
		if tc.bitrate != G722Rate64k && snr > fullSNR-3 {
			t.Errorf("%d bit/s: SNR %.1f dB, as good as 64 kbit/s (%.1f): the mode is ignored", tc.bitrate, snr, fullSNR)
		}
		_, hy := g722Code(t, hx, tc.bitrate)
		if snrDB(ref, hy) < 40 {
			t.Errorf("%d bit/s changed a higher sub-band tone", tc.bitrate)
		}
	}
	if _, err := NewG722Decoder(32000); !errors.Is(err, ErrUnsupported) {
		t.Errorf("32 kbit/s: %v", err)
	}
}

// Any octet is a code word: random, all-ones and full-scale streams decode
// without overflow, and a full-scale square wave encodes without wrapping
// (the saturating adders of the Recommendation).
func TestG722Extremes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	data := make([]byte, 16000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	dec, _ := NewG722Decoder(G722Rate64k)
	y := make([]int16, 2*len(data))
	if _, err := dec.Decode(data, y); err != nil {
		t.Fatal(err)
	}
	sq := make([]int16, 16000)
	for i := range sq {
		sq[i] = 32767
		if (i/40)%2 == 1 {
			sq[i] = -32768
		}
	}
	_, y = g722Code(t, sq, G722Rate64k)
	// A 200 Hz full-scale square wave comes back as one, a little rounded.
	if got, want := dsp.DominantFrequency(y[800:], g722AudioRate), 200.0; math.Abs(got-want) > 2 {
		t.Errorf("square wave: dominant %.1f Hz", got)
	}
	if l := dsp.RMSdBFS(y[800:]); l < -1.5 {
		t.Errorf("square wave: level %.1f dBFS", l)
	}
}

func TestG722BareCoderErrors(t *testing.T) {
	enc := NewG722Encoder()
	if _, err := enc.Encode(make([]int16, 3), make([]byte, 4)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("odd sample count: %v", err)
	}
	if _, err := enc.Encode(make([]int16, 4), make([]byte, 1)); !errors.Is(err, ErrBuffer) {
		t.Errorf("small dst: %v", err)
	}
	dec, _ := NewG722Decoder(G722Rate64k)
	if _, err := dec.Decode(make([]byte, 4), make([]int16, 7)); !errors.Is(err, ErrBuffer) {
		t.Errorf("small pcm: %v", err)
	}
	// Reset gives a new stream: the same input codes to the same octets.
	x := dsp.Tones(g722AudioRate, 640, 0.3, 1000)
	a, b := make([]byte, 320), make([]byte, 320)
	_, _ = enc.Encode(x, a)
	enc.Reset()
	_, _ = enc.Encode(x, b)
	if string(a) != string(b) {
		t.Error("Reset does not restore the initial state")
	}
}

// RFC 3551 §4.5.2: G722/8000 in SDP and on the RTP clock, 16 kHz audio,
// 160 octets per 20 ms.
func TestG722Params(t *testing.T) {
	tests := []struct {
		p          Params
		audio      uint32
		clock      uint32
		frameBytes int
	}{
		{g722Params, 16000, 8000, 160},
		{Params{Name: "g722", ClockRate: 8000}, 16000, 8000, 160},
		{pcmuParams, 8000, 8000, 160},
		{opusParams, 48000, 48000, 0},
	}
	for _, tc := range tests {
		if got := tc.p.AudioRate(); got != tc.audio {
			t.Errorf("%s: AudioRate %d, want %d", tc.p.Name, got, tc.audio)
		}
		if tc.p.ClockRate != tc.clock {
			t.Errorf("%s: ClockRate %d", tc.p.Name, tc.p.ClockRate)
		}
		if tc.frameBytes == 0 {
			continue
		}
		enc, err := NewEncoder(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, MaxPayload)
		if n, err := enc.Encode(make([]int16, FrameSamples), buf); err != nil || n != tc.frameBytes {
			t.Errorf("%s: 20 ms frame is %d bytes (%v), want %d", tc.p.Name, n, err, tc.frameBytes)
		}
	}
	// A 120 ms packet (960 octets) fills MaxFrameSamples; longer is refused.
	dec, _ := NewDecoder(g722Params)
	pcm := make([]int16, MaxFrameSamples)
	if n, err := dec.Decode(make([]byte, 960), pcm); err != nil || n != MaxFrameSamples {
		t.Errorf("120 ms packet: %d %v", n, err)
	}
	if _, err := dec.Decode(make([]byte, 961), pcm); !errors.Is(err, ErrBadPayload) {
		t.Errorf("161 ms packet: %v", err)
	}
	// 10 ms packets decode to 480 samples at 48 kHz.
	if n, err := dec.Decode(make([]byte, 80), pcm); err != nil || n != FrameSamples/2 {
		t.Errorf("10 ms packet: %d %v", n, err)
	}
}

// After a lost frame the decoder's state differs from the encoder's; the
// backward adaptation brings it back, and the tones stay.
func TestG722RecoversAfterLoss(t *testing.T) {
	x := dsp.Tones(SampleRate, SampleRate, 0.25, 440, 1700, 5000)
	enc, err := NewEncoder(g722Params)
	if err != nil {
		t.Fatal(err)
	}
	pkts := encodeAll(t, enc, x)
	ref := decodeAll(t, mustG722Decoder(t), pkts)
	lossy := slices.Clone(pkts)
	lossy[20] = nil // decodeAll conceals it
	y := decodeAll(t, mustG722Decoder(t), lossy)
	tests := []struct {
		fromMS, toMS int // after the lost frame
		minSNR       float64
	}{
		{20, 40, 15}, {50, 100, 25}, {200, 400, 35},
	}
	for _, tc := range tests {
		a, b := 21*FrameSamples+tc.fromMS*48, 21*FrameSamples+tc.toMS*48
		snr := snrDB(ref[a:b], y[a:b])
		t.Logf("%d-%d ms after the loss: %.1f dB from a lossless decode", tc.fromMS, tc.toMS, snr)
		if snr < tc.minSNR {
			t.Errorf("%d-%d ms after the loss: SNR %.1f dB against a lossless decode, want ≥ %.0f", tc.fromMS, tc.toMS, snr, tc.minSNR)
		}
		rep := dsp.CheckTones(y[a:b], dsp.ToneCheck{Expected: []float64{440, 1700, 5000}, MinDBFS: dsp.DBFS(0.25/math.Sqrt2) - 1.5, UnexpectedDBFS: -40})
		if !rep.OK() {
			t.Errorf("%d-%d ms after the loss: %v", tc.fromMS, tc.toMS, rep)
		}
	}
}

func FuzzG722Decode(f *testing.F) { fuzzDecoder(f, g722Params) }

func BenchmarkEncodeG722(b *testing.B) { benchEncode(b, g722Params) }
func BenchmarkDecodeG722(b *testing.B) { benchDecode(b, g722Params) }

// The bare coder without the 48 kHz resampling, per 20 ms (320 samples).
func BenchmarkG722EncodeBare(b *testing.B) {
	enc := NewG722Encoder()
	x := dsp.Tones(g722AudioRate, g722FrameSamples, 0.25, 440, 1000)
	buf := make([]byte, g722FrameBytes)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = enc.Encode(x, buf)
	}
}

func BenchmarkG722DecodeBare(b *testing.B) {
	data := make([]byte, g722FrameBytes)
	_, _ = NewG722Encoder().Encode(dsp.Tones(g722AudioRate, g722FrameSamples, 0.25, 440, 1000), data)
	dec, _ := NewG722Decoder(G722Rate64k)
	pcm := make([]int16, g722FrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = dec.Decode(data, pcm)
	}
}
