package codec

import "testing"

func TestG711KnownCodes(t *testing.T) {
	// Values from ITU-T G.711 Tables 1/2 as scaled by the G.191 reference code.
	tests := []struct {
		name string
		got  int16
		want int16
	}{
		{"µ 0xFF is +0", ULawToLinear(0xFF), 0},
		{"µ 0x7F is -0", ULawToLinear(0x7F), 0},
		{"µ 0x80 is +max", ULawToLinear(0x80), 32124},
		{"µ 0x00 is -max", ULawToLinear(0x00), -32124},
		{"A 0xD5 smallest +", ALawToLinear(0xD5), 8},
		{"A 0x55 smallest -", ALawToLinear(0x55), -8},
		{"A 0xAA is +max", ALawToLinear(0xAA), 32256},
		{"A 0x2A is -max", ALawToLinear(0x2A), -32256},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	encs := []struct {
		name string
		got  byte
		want byte
	}{
		{"µ(0)", LinearToULaw(0), 0xFF},
		{"µ(32767)", LinearToULaw(32767), 0x80},
		{"µ(-32768)", LinearToULaw(-32768), 0x00},
		{"A(0)", LinearToALaw(0), 0xD5},
		{"A(32767)", LinearToALaw(32767), 0xAA},
		{"A(-32768)", LinearToALaw(-32768), 0x2A},
	}
	for _, tc := range encs {
		if tc.got != tc.want {
			t.Errorf("%s: %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

func TestG711CodeRoundTrip(t *testing.T) {
	// Every code word decodes to a value that encodes back to it (µ-law has
	// two zeros; -0 encodes as +0).
	for c := 0; c < 256; c++ {
		if got := LinearToALaw(ALawToLinear(byte(c))); got != byte(c) {
			t.Errorf("A-law %#x -> %d -> %#x", c, ALawToLinear(byte(c)), got)
		}
		if c == 0x7F {
			continue
		}
		if got := LinearToULaw(ULawToLinear(byte(c))); got != byte(c) {
			t.Errorf("µ-law %#x -> %d -> %#x", c, ULawToLinear(byte(c)), got)
		}
	}
}

func TestG711QuantisationError(t *testing.T) {
	// Companding keeps the relative error of large samples small (~3 % at
	// worst, half a segment step) and is monotonic.
	prevU, prevA := int16(-32768), int16(-32768)
	for v := -32768; v <= 32767; v++ {
		u := ULawToLinear(LinearToULaw(int16(v)))
		a := ALawToLinear(LinearToALaw(int16(v)))
		if u < prevU || a < prevA {
			t.Fatalf("not monotonic at %d", v)
		}
		prevU, prevA = u, a
		if v > 1000 || v < -1000 {
			for _, got := range []int16{u, a} {
				if e := float64(int(got)-v) / float64(v); e > 0.035 || e < -0.035 {
					t.Fatalf("%d -> %d: error %.3f", v, got, e)
				}
			}
		}
	}
}
