package codec

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parley-voip/parley/internal/dsp"
	"github.com/thesyncim/gopus/container/ogg"
)

// needTool returns the path of a reference tool. Missing tools skip the
// test locally but fail it under CI or PARLEY_REQUIRE_PEERS, so interop is
// never silently untested where it matters.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" || os.Getenv("PARLEY_REQUIRE_PEERS") != "" {
		t.Fatalf("%s is required under CI/PARLEY_REQUIRE_PEERS (apt-get install %s): %v", name, toolPackage(name), err)
	}
	t.Skipf("%s not installed: %v", name, err)
	return ""
}

// toolPackage is the Debian package that installs a reference tool
// (scripts/install-deps.sh test).
func toolPackage(name string) string {
	if name == "ffmpeg" {
		return "ffmpeg"
	}
	return "opus-tools"
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
	}
}

// Our encoder → Ogg Opus (RFC 7845) → reference libopus (opusdec) → WAV.
func TestInteropOursToLibopus(t *testing.T) {
	opusdec := needTool(t, "opusdec")
	tests := []struct {
		name  string
		freqs []float64
		opts  []Option
		tolDB float64
		snrDB float64 // how far below the tones other peaks must stay
	}{
		{"440 Hz", []float64{440}, nil, 1.5, 25},
		{"ringback pair 16k", []float64{440, 480}, []Option{WithBitrate(16000)}, 1.5, 25},
		// Three tones at 20 % loss: LBRR takes bits and SILK's LPC model
		// renders the weaker tones ~2.5 dB low in every decoder.
		{"440+1000+2500 with FEC 20%", []float64{440, 1000, 2500}, []Option{WithPacketLoss(20)}, 4, 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			enc, err := NewEncoder(opusParams, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			const amp = 0.2
			x := dsp.Tones(SampleRate, 2*SampleRate, amp, tc.freqs...)
			pkts := encodeAll(t, enc, x)
			var file bytes.Buffer
			w, err := ogg.NewWriter(&file, SampleRate, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pkts {
				if err := w.WritePacket(p, FrameSamples); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			in, out := filepath.Join(dir, "ours.opus"), filepath.Join(dir, "ref.wav")
			if err := os.WriteFile(in, file.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			runTool(t, opusdec, "--quiet", "--rate", "48000", in, out)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			rate, y, err := dsp.ReadWAV(b)
			if err != nil || rate != SampleRate {
				t.Fatalf("opusdec output: rate %d, %v", rate, err)
			}
			if d := len(y) - len(x); d < -2*FrameSamples || d > 2*FrameSamples {
				t.Fatalf("libopus decoded %d samples of %d", len(y), len(x))
			}
			want := dsp.DBFS(amp / math.Sqrt2)
			rep := dsp.CheckTones(y[SampleRate/5:len(y)-SampleRate/5], dsp.ToneCheck{Expected: tc.freqs, MinDBFS: want - tc.tolDB, UnexpectedDBFS: want - tc.snrDB})
			if !rep.OK() {
				t.Fatalf("libopus heard: %v", rep)
			}
			// Same packets through our decoder: libopus and gopus must agree
			// sample for sample up to float rounding (opusdec drops the
			// OpusHead pre-skip, RFC 7845 §4.2).
			ours := decodeAll(t, mustDecoder(t), pkts)[ogg.DefaultPreSkip:]
			if snr := snrDB(y[:min(len(y), len(ours))], ours); snr < 40 {
				t.Fatalf("libopus and our decoder differ: SNR %.1f dB", snr)
			} else {
				t.Logf("libopus vs gopus decode SNR %.1f dB", snr)
			}
		})
	}
}

func mustDecoder(t *testing.T) Decoder {
	t.Helper()
	d, err := NewDecoder(opusParams)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// snrDB compares b against the reference a.
func snrDB(a, b []int16) float64 {
	var sig, diff float64
	for i := range min(len(a), len(b)) {
		sig += float64(a[i]) * float64(a[i])
		d := float64(a[i]) - float64(b[i])
		diff += d * d
	}
	if diff == 0 {
		return 200
	}
	return 10 * math.Log10(sig/diff)
}

// Reference libopus (opusenc) → Ogg Opus → our decoder.
func TestInteropLibopusToOurs(t *testing.T) {
	opusenc := needTool(t, "opusenc")
	tests := []struct {
		name  string
		freqs []float64
		args  []string
	}{
		{"440 Hz speech 24k", []float64{440}, []string{"--bitrate", "24", "--framesize", "20", "--speech"}},
		{"dtmf 9 at 12k", []float64{852, 1477}, []string{"--bitrate", "12", "--framesize", "20"}},
		{"440+1000 40 ms frames", []float64{440, 1000}, []string{"--bitrate", "32", "--framesize", "40"}},
		{"music 64k 10 ms", []float64{330, 2000, 5000}, []string{"--bitrate", "64", "--framesize", "10", "--music"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			const amp = 0.2
			x := dsp.Tones(SampleRate, 2*SampleRate, amp, tc.freqs...)
			in, out := filepath.Join(dir, "src.wav"), filepath.Join(dir, "ref.opus")
			var wav bytes.Buffer
			if err := dsp.WriteWAV(&wav, SampleRate, x); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in, wav.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			runTool(t, opusenc, append(append([]string{"--quiet"}, tc.args...), in, out)...)
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := ogg.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := NewDecoder(opusParams)
			if err != nil {
				t.Fatal(err)
			}
			var y []int16
			pcm := make([]int16, MaxFrameSamples)
			for {
				p, _, err := r.ReadPacket()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n, err := dec.Decode(p, pcm)
				if err != nil {
					t.Fatalf("our decoder: %v", err)
				}
				y = append(y, pcm[:n]...)
			}
			skip := int(r.PreSkip())
			if len(y) < skip+len(x)-2*FrameSamples {
				t.Fatalf("decoded %d samples (pre-skip %d) of %d", len(y), skip, len(x))
			}
			y = y[skip:]
			want := dsp.DBFS(amp / math.Sqrt2)
			rep := dsp.CheckTones(y[SampleRate/5:len(x)-SampleRate/5], dsp.ToneCheck{Expected: tc.freqs, MinDBFS: want - 1.5, UnexpectedDBFS: want - 25})
			if !rep.OK() {
				t.Fatalf("we heard: %v", rep)
			}
			// And libopus decoding its own file agrees with us.
			if opusdec, err := exec.LookPath("opusdec"); err == nil {
				ref := filepath.Join(dir, "ref.wav")
				runTool(t, opusdec, "--quiet", "--rate", "48000", out, ref)
				b, err := os.ReadFile(ref)
				if err != nil {
					t.Fatal(err)
				}
				_, z, err := dsp.ReadWAV(b)
				if err != nil {
					t.Fatal(err)
				}
				if snr := snrDB(z, y); snr < 40 {
					t.Fatalf("our decode differs from libopus: SNR %.1f dB", snr)
				} else {
					t.Logf("gopus vs libopus decode SNR %.1f dB", snr)
				}
			}
		})
	}
}
