package codec

import (
	"errors"
	"math"
	"testing"

	"github.com/parley-voip/parley/internal/dsp"
)

var (
	opusParams = Params{Name: NameOpus, ClockRate: 48000, Channels: 2, PayloadType: 111}
	pcmuParams = Params{Name: NamePCMU, ClockRate: 8000, Channels: 1, PayloadType: 0}
	pcmaParams = Params{Name: "pcma", ClockRate: 8000, Channels: 1, PayloadType: 8}
)

// encodeAll encodes x frame by frame; nil entries are DTX frames.
func encodeAll(t testing.TB, enc Encoder, x []int16) [][]byte {
	t.Helper()
	var pkts [][]byte
	buf := make([]byte, MaxPayload)
	for i := 0; i+FrameSamples <= len(x); i += FrameSamples {
		n, err := enc.Encode(x[i:i+FrameSamples], buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i/FrameSamples, err)
		}
		if n == 0 {
			pkts = append(pkts, nil)
			continue
		}
		pkts = append(pkts, append([]byte(nil), buf[:n]...))
	}
	return pkts
}

func decodeAll(t testing.TB, dec Decoder, pkts [][]byte) []int16 {
	t.Helper()
	var out []int16
	pcm := make([]int16, MaxFrameSamples)
	for i, p := range pkts {
		var n int
		var err error
		if p == nil {
			n, err = dec.DecodeLost(nil, pcm)
		} else {
			n, err = dec.Decode(p, pcm)
		}
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		out = append(out, pcm[:n]...)
	}
	return out
}

func TestRoundTripTones(t *testing.T) {
	tests := []struct {
		name  string
		p     Params
		freqs []float64
		tolDB float64
		size  int // expected payload bytes (0: variable)
	}{
		{"opus 440", opusParams, []float64{440}, 1.5, 0},
		{"opus 440+1000", opusParams, []float64{440, 1000}, 1.5, 0},
		{"opus 697+1477 (dtmf 3)", opusParams, []float64{697, 1477}, 1.5, 0},
		{"opus 3000+6000 wideband", opusParams, []float64{3000, 6000}, 2, 0},
		{"pcmu 440+1000", pcmuParams, []float64{440, 1000}, 0.5, 160},
		{"pcma 697+1477", pcmaParams, []float64{697, 1477}, 0.5, 160},
		{"pcmu 3000", pcmuParams, []float64{3000}, 0.5, 160},
		{"g722 440+1000", g722Params, []float64{440, 1000}, 0.3, 160},
		{"g722 697+1477", g722Params, []float64{697, 1477}, 0.3, 160},
		// Wideband: G.711 loses 6 kHz, G.722 keeps it (50-7000 Hz).
		{"g722 3000+6000 wideband", g722Params, []float64{3000, 6000}, 0.5, 160},
		{"g722 7000", g722Params, []float64{7000}, 0.5, 160},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, dec, err := New(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			const amp = 0.25
			x := dsp.Tones(SampleRate, SampleRate, amp, tc.freqs...) // 1 s
			pkts := encodeAll(t, enc, x)
			if len(pkts) != 50 {
				t.Fatalf("%d packets", len(pkts))
			}
			for i, p := range pkts {
				if p == nil || (tc.size > 0 && len(p) != tc.size) {
					t.Fatalf("packet %d: %d bytes", i, len(p))
				}
			}
			y := decodeAll(t, dec, pkts)
			if len(y) != len(x) {
				t.Fatalf("decoded %d samples, want %d", len(y), len(x))
			}
			want := dsp.DBFS(amp / math.Sqrt2)
			rep := dsp.CheckTones(y[SampleRate/5:], dsp.ToneCheck{Expected: tc.freqs, MinDBFS: want - tc.tolDB, UnexpectedDBFS: want - 25})
			if !rep.OK() {
				t.Fatalf("%v", rep)
			}
			for _, l := range rep.Present {
				if math.Abs(l.DBFS-want) > tc.tolDB {
					t.Errorf("%v Hz at %.2f dBFS, want %.2f±%.1f", l.Freq, l.DBFS, want, tc.tolDB)
				}
			}
			if enc.Params() != tc.p || dec.Params() != tc.p {
				t.Error("Params not kept")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"unknown", Params{Name: "G729", ClockRate: 8000}},
		{"empty", Params{}},
		{"opus at 16k", Params{Name: NameOpus, ClockRate: 16000}},
		{"pcmu at 16k", Params{Name: NamePCMU, ClockRate: 16000}},
		// RFC 3551 §4.5.2: G722/16000 is not the G.722 payload format.
		{"g722 at 16k", Params{Name: NameG722, ClockRate: 16000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := New(tc.p); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestEncodeRejectsBadFrames(t *testing.T) {
	for _, p := range []Params{opusParams, pcmuParams, g722Params} {
		enc, _ := NewEncoder(p)
		if _, err := enc.Encode(make([]int16, 480), make([]byte, MaxPayload)); !errors.Is(err, ErrFrameSize) {
			t.Errorf("%s short frame: %v", p.Name, err)
		}
		// Opus, like libopus, shrinks the packet to fit max_data_bytes;
		// G.711 has a fixed size and must refuse.
		n, err := enc.Encode(make([]int16, FrameSamples), make([]byte, 3))
		if !p.Is(NameOpus) && err == nil {
			t.Errorf("%s tiny buffer accepted", p.Name)
		}
		if n > 3 {
			t.Errorf("%s wrote %d bytes into 3", p.Name, n)
		}
	}
}

func TestDecodeLost(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"opus", opusParams}, {"pcmu", pcmuParams}, {"pcma", pcmaParams}, {"g722", g722Params},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, dec, err := New(tc.p, WithPacketLoss(20))
			if err != nil {
				t.Fatal(err)
			}
			x := dsp.Tones(SampleRate, SampleRate, 0.25, 440)
			pkts := encodeAll(t, enc, x)
			pcm := make([]int16, MaxFrameSamples)
			var y []int16
			for i, p := range pkts {
				if i == 30 || i == 31 { // lose two, FEC from the next
					var next []byte
					if i == 31 {
						next = pkts[32]
					}
					n, err := dec.DecodeLost(next, pcm)
					if err != nil || n != FrameSamples {
						t.Fatalf("DecodeLost: %d %v", n, err)
					}
					y = append(y, pcm[:n]...)
					continue
				}
				n, err := dec.Decode(p, pcm)
				if err != nil {
					t.Fatal(err)
				}
				y = append(y, pcm[:n]...)
			}
			if len(y) != len(x) {
				t.Fatalf("%d samples", len(y))
			}
			// The stream around the loss still carries the tone; no garbage.
			seg := y[28*FrameSamples : 34*FrameSamples]
			rep := dsp.CheckTones(seg, dsp.ToneCheck{Expected: []float64{440}, MinDBFS: -30, UnexpectedDBFS: -25})
			if !rep.OK() {
				t.Fatalf("%v", rep)
			}
		})
	}
}

func TestOpusFEC(t *testing.T) {
	enc, dec, err := New(opusParams, WithPacketLoss(20))
	if err != nil {
		t.Fatal(err)
	}
	x := dsp.Tones(SampleRate, SampleRate, 0.25, 300, 700)
	pkts := encodeAll(t, enc, x)
	lbrr := 0
	for _, p := range pkts {
		if hasLBRR(p) {
			lbrr++
		}
	}
	if lbrr < len(pkts)/2 {
		t.Fatalf("only %d of %d packets carry LBRR (in-band FEC)", lbrr, len(pkts))
	}
	pcm := make([]int16, MaxFrameSamples)
	for i := range 25 {
		if _, err := dec.Decode(pkts[i], pcm); err != nil {
			t.Fatal(err)
		}
	}
	// Frame 25 lost; rebuild it from frame 26's LBRR.
	n, err := dec.DecodeLost(pkts[26], pcm)
	if err != nil || n != FrameSamples {
		t.Fatalf("%d %v", n, err)
	}
	want := dsp.DBFS(0.25 / math.Sqrt2)
	for _, f := range []float64{300, 700} {
		if got := dsp.TonedBFS(pcm[:n], SampleRate, f); math.Abs(got-want) > 3 {
			t.Errorf("FEC frame %v Hz at %.1f dBFS, want %.1f", f, got, want)
		}
	}
}

func TestOpusDTX(t *testing.T) {
	enc, err := NewEncoder(opusParams, WithDTX(true))
	if err != nil {
		t.Fatal(err)
	}
	pkts := encodeAll(t, enc, make([]int16, 2*SampleRate)) // 2 s of silence
	skipped := 0
	for _, p := range pkts {
		if p == nil {
			skipped++
		}
	}
	if skipped < len(pkts)/2 {
		t.Fatalf("DTX skipped only %d of %d silent frames", skipped, len(pkts))
	}
}

func TestDecodeGarbage(t *testing.T) {
	for _, p := range []Params{opusParams, pcmuParams, pcmaParams, g722Params} {
		_, dec, _ := New(p)
		pcm := make([]int16, MaxFrameSamples)
		for _, g := range [][]byte{nil, {}, {0xFF}, {0xFF, 0xFF, 0xFF}, make([]byte, 5000)} {
			_, _ = dec.Decode(g, pcm) // must not panic
			_, _ = dec.DecodeLost(g, pcm)
		}
		if _, err := dec.Decode(nil, pcm); !errors.Is(err, ErrBadPayload) {
			t.Errorf("%s: empty payload: %v", p.Name, err)
		}
		if _, err := dec.DecodeLost(nil, pcm[:10]); !errors.Is(err, ErrBuffer) {
			t.Errorf("%s: small buffer: %v", p.Name, err)
		}
	}
}

func fuzzDecoder(f *testing.F, p Params) {
	enc, _ := NewEncoder(p)
	buf := make([]byte, MaxPayload)
	n, _ := enc.Encode(dsp.Tones(SampleRate, FrameSamples, 0.3, 440), buf)
	f.Add(buf[:n])
	f.Add([]byte{0xFC, 0xFF, 0xFE})
	f.Add([]byte{0x03, 0x81, 0xFF})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, dec, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		pcm := make([]int16, MaxFrameSamples)
		n, err := dec.Decode(payload, pcm)
		if err == nil && (n <= 0 || n > MaxFrameSamples) {
			t.Fatalf("n = %d", n)
		}
		if _, err := dec.DecodeLost(payload, pcm); err != nil {
			t.Fatalf("DecodeLost: %v", err)
		}
		_, _ = dec.Decode(payload, pcm)
	})
}

func FuzzOpusDecode(f *testing.F) { fuzzDecoder(f, opusParams) }
func FuzzPCMUDecode(f *testing.F) { fuzzDecoder(f, pcmuParams) }
func FuzzPCMADecode(f *testing.F) { fuzzDecoder(f, pcmaParams) }

func benchEncode(b *testing.B, p Params) {
	enc, _ := NewEncoder(p)
	x := dsp.Tones(SampleRate, FrameSamples, 0.25, 440, 1000)
	buf := make([]byte, MaxPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Encode(x, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, p Params) {
	enc, dec, _ := New(p)
	x := dsp.Tones(SampleRate, 10*FrameSamples, 0.25, 440, 1000)
	pkts := encodeAll(b, enc, x)
	pcm := make([]int16, MaxFrameSamples)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := dec.Decode(pkts[i%len(pkts)], pcm); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkEncodeOpus(b *testing.B) { benchEncode(b, opusParams) }
func BenchmarkEncodePCMU(b *testing.B) { benchEncode(b, pcmuParams) }
func BenchmarkDecodeOpus(b *testing.B) { benchDecode(b, opusParams) }
func BenchmarkDecodePCMA(b *testing.B) { benchDecode(b, pcmaParams) }

func BenchmarkDecodeLostOpusFEC(b *testing.B) {
	enc, dec, _ := New(opusParams)
	pkts := encodeAll(b, enc, dsp.Tones(SampleRate, 10*FrameSamples, 0.25, 440))
	pcm := make([]int16, MaxFrameSamples)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = dec.DecodeLost(pkts[5], pcm)
	}
}
