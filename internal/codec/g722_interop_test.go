package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-voip/parley/internal/dsp"
)

// FFmpeg's G.722 (libavcodec, maintained and tested on its own) is the
// independent coder here: ITU-T's G.722 test sequences are not freely
// downloadable, so bit-exact agreement with another implementation on
// varied signals stands in for them. (FFmpeg's code descends from the
// same CMU/spandsp C as the tables we read; a fault common to that
// lineage would go unseen.) Raw G.722
// files are the bare octet stream, 16 kHz s16le the linear side.

func writeS16(t *testing.T, path string, x []int16) {
	t.Helper()
	b := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readS16(t *testing.T, path string) []int16 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]int16, len(b)/2)
	for i := range x {
		x[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return x
}

func ffmpegArgs(args ...string) []string {
	return append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)
}

// ffmpegEncode codes 16 kHz x with FFmpeg's encoder (no trellis: the plain
// Recommendation).
func ffmpegEncode(t *testing.T, ffmpeg, dir string, x []int16) []byte {
	t.Helper()
	in, out := filepath.Join(dir, "in.s16"), filepath.Join(dir, "ff.g722")
	writeS16(t, in, x)
	runTool(t, ffmpeg, ffmpegArgs("-f", "s16le", "-ar", "16000", "-ac", "1", "-i", in, "-c:a", "g722", "-f", "g722", out)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffmpegDecode decodes a raw G.722 stream with FFmpeg using bits bits of
// each octet (8, 7, 6: 64, 56, 48 kbit/s) to 16 kHz.
func ffmpegDecode(t *testing.T, ffmpeg, dir string, data []byte, bits int) []int16 {
	t.Helper()
	in, out := filepath.Join(dir, "in.g722"), filepath.Join(dir, "ff.s16")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	runTool(t, ffmpeg, ffmpegArgs("-bits_per_codeword", fmt.Sprint(bits), "-f", "g722", "-i", in, "-f", "s16le", "-ar", "16000", out)...)
	return readS16(t, out)
}

type namedSignal struct {
	name string
	x    []int16
}

func g722TestSignals() []namedSignal {
	const n = 2 * g722AudioRate
	r := rand.New(rand.NewPCG(3, 4))
	noise := make([]int16, n)
	for i := range noise {
		noise[i] = int16(r.IntN(20000) - 10000)
	}
	square := make([]int16, n)
	sweep := make([]int16, n)
	var ph float64
	for i := range square {
		square[i] = 32767
		if (i/37)%2 == 1 {
			square[i] = -32768
		}
		// 50 Hz to 8 kHz over two seconds, full scale.
		f := 50 * math.Pow(160, float64(i)/n)
		ph += 2 * math.Pi * f / g722AudioRate
		sweep[i] = int16(32767 * math.Sin(ph))
	}
	speechy := dsp.Tones(g722AudioRate, n, 0.2, 150, 450, 1250, 2900, 5300)
	for i := range speechy {
		speechy[i] += noise[i] / 40
	}
	return []namedSignal{
		{"silence", make([]int16, n)},
		{"noise", noise},
		{"square", square},
		{"sweep", sweep},
		{"tones+noise", speechy},
		{"quiet 1 kHz", dsp.Tones(g722AudioRate, n, 0.001, 1000)},
		{"loud 6.5 kHz", dsp.Tones(g722AudioRate, n, 0.99, 6500)},
		{"dtmf 1 + 7 kHz", dsp.Tones(g722AudioRate, n, 0.3, 697, 1209, 7000)},
	}
}

// Our encoder and FFmpeg's produce the same octets, and FFmpeg's decoder
// and ours the same samples, in all three modes.
func TestG722BitExactWithFFmpeg(t *testing.T) {
	ffmpeg := needTool(t, "ffmpeg")
	for _, sig := range g722TestSignals() {
		x := sig.x
		t.Run(sig.name, func(t *testing.T) {
			dir := t.TempDir()
			theirs := ffmpegEncode(t, ffmpeg, dir, x)
			ours, _ := g722Code(t, x, G722Rate64k)
			if len(theirs) != len(ours) {
				t.Fatalf("FFmpeg coded %d octets, we %d", len(theirs), len(ours))
			}
			if i := firstDiff(theirs, ours); i >= 0 {
				t.Fatalf("encoders differ from octet %d: FFmpeg %#02x, ours %#02x", i, theirs[i], ours[i])
			}
			for _, m := range []struct{ bits, rate int }{{8, G722Rate64k}, {7, G722Rate56k}, {6, G722Rate48k}} {
				ref := ffmpegDecode(t, ffmpeg, dir, ours, m.bits)
				dec, err := NewG722Decoder(m.rate)
				if err != nil {
					t.Fatal(err)
				}
				y := make([]int16, 2*len(ours))
				if _, err := dec.Decode(ours, y); err != nil {
					t.Fatal(err)
				}
				if len(ref) != len(y) {
					t.Fatalf("%d bit/s: FFmpeg decoded %d samples, we %d", m.rate, len(ref), len(y))
				}
				if i := firstDiff(ref, y); i >= 0 {
					t.Fatalf("%d bit/s: decoders differ from sample %d: FFmpeg %d, ours %d", m.rate, i, ref[i], y[i])
				}
			}
		})
	}
}

func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// FFmpeg encodes tones at 16 kHz; our pipeline decoder, fed 20 ms RTP
// payloads, plays them at 48 kHz at their frequency and level.
func TestG722InteropFFmpegToOurs(t *testing.T) {
	ffmpeg := needTool(t, "ffmpeg")
	tests := []struct {
		name  string
		freqs []float64
	}{
		{"440+1000", []float64{440, 1000}},
		{"dtmf 9", []float64{852, 1477}},
		{"wideband 3000+6000", []float64{3000, 6000}},
		{"7 kHz", []float64{7000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const amp = 0.25
			data := ffmpegEncode(t, ffmpeg, t.TempDir(), dsp.Tones(g722AudioRate, 2*g722AudioRate, amp, tc.freqs...))
			var pkts [][]byte
			for i := 0; i+g722FrameBytes <= len(data); i += g722FrameBytes {
				pkts = append(pkts, data[i:i+g722FrameBytes])
			}
			y := decodeAll(t, mustG722Decoder(t), pkts)
			if len(y) != 2*SampleRate {
				t.Fatalf("decoded %d samples at 48 kHz", len(y))
			}
			want := dsp.DBFS(amp / math.Sqrt2)
			rep := dsp.CheckTones(y[SampleRate/5:], dsp.ToneCheck{Expected: tc.freqs, MinDBFS: want - 0.5, UnexpectedDBFS: want - 25})
			if !rep.OK() {
				t.Fatalf("we heard: %v", rep)
			}
			for _, l := range rep.Present {
				if math.Abs(l.DBFS-want) > 0.5 {
					t.Errorf("%v Hz at %.2f dBFS, want %.2f±0.5", l.Freq, l.DBFS, want)
				}
			}
		})
	}
}

func mustG722Decoder(t *testing.T) Decoder {
	t.Helper()
	d, err := NewDecoder(g722Params)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Our pipeline encoder codes 48 kHz tones into 20 ms payloads; FFmpeg
// decodes their concatenation at their frequency and level.
func TestG722InteropOursToFFmpeg(t *testing.T) {
	ffmpeg := needTool(t, "ffmpeg")
	tests := []struct {
		name  string
		freqs []float64
	}{
		{"440+1000", []float64{440, 1000}},
		{"ringback 440+480", []float64{440, 480}},
		{"wideband 2500+5500", []float64{2500, 5500}},
		{"6.8 kHz", []float64{6800}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := NewEncoder(g722Params)
			if err != nil {
				t.Fatal(err)
			}
			const amp = 0.25
			var data []byte
			for _, p := range encodeAll(t, enc, dsp.Tones(SampleRate, 2*SampleRate, amp, tc.freqs...)) {
				if len(p) != g722FrameBytes {
					t.Fatalf("%d-byte payload", len(p))
				}
				data = append(data, p...)
			}
			y := ffmpegDecode(t, ffmpeg, t.TempDir(), data, 8)
			if len(y) != 2*g722AudioRate {
				t.Fatalf("FFmpeg decoded %d samples", len(y))
			}
			want := dsp.DBFS(amp / math.Sqrt2)
			rep := dsp.CheckTones(y[g722AudioRate/5:], dsp.ToneCheck{Rate: g722AudioRate, Expected: tc.freqs, MinDBFS: want - 0.5, UnexpectedDBFS: want - 25})
			if !rep.OK() {
				t.Fatalf("FFmpeg heard: %v", rep)
			}
			for _, l := range rep.Present {
				if math.Abs(l.DBFS-want) > 0.5 {
					t.Errorf("%v Hz at %.2f dBFS, want %.2f±0.5", l.Freq, l.DBFS, want)
				}
			}
		})
	}
}
