package testrig

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// WAV holds 16-bit PCM audio, interleaved when Channels > 1.
type WAV struct {
	Rate     int
	Channels int
	Samples  []int16
}

// ReadWAV reads a 16-bit PCM WAV file (what baresip's sndfile writes and
// aufile reads).
func ReadWAV(path string) (WAV, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return WAV{}, err
	}
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return WAV{}, fmt.Errorf("%s is not a WAV file", path)
	}
	var w WAV
	var bits int
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), int(binary.LittleEndian.Uint32(data[p+4:p+8]))
		body := data[p+8:]
		if size > len(body) {
			size = len(body) // a file whose writer did not finish: take what is there
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return WAV{}, fmt.Errorf("%s: short fmt chunk", path)
			}
			if format := binary.LittleEndian.Uint16(body[0:2]); format != 1 && format != 0xFFFE {
				return WAV{}, fmt.Errorf("%s: not PCM (format %d)", path, format)
			}
			w.Channels = int(binary.LittleEndian.Uint16(body[2:4]))
			w.Rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
		case "data":
			if bits != 16 {
				return WAV{}, fmt.Errorf("%s: %d-bit samples, only 16-bit supported", path, bits)
			}
			w.Samples = make([]int16, size/2)
			for i := range w.Samples {
				w.Samples[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return w, nil
		}
		p += 8 + size + size%2
	}
	return WAV{}, errors.New(path + ": no data chunk")
}

// WriteWAV writes 16-bit PCM audio, e.g. a test signal for
// BaresipOptions.SourceWAV.
func WriteWAV(path string, w WAV) error {
	dataLen := 2 * len(w.Samples)
	b := make([]byte, 44+dataLen)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+dataLen))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], uint16(w.Channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(w.Rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(w.Rate*w.Channels*2))
	binary.LittleEndian.PutUint16(b[32:], uint16(w.Channels*2))
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(dataLen))
	for i, s := range w.Samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return os.WriteFile(path, b, 0o644)
}

// Tone returns seconds of a mono sine at freq Hz and amplitude amp (0..1).
func Tone(rate int, freq, amp, seconds float64) WAV {
	n := int(float64(rate) * seconds)
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return WAV{Rate: rate, Channels: 1, Samples: s}
}

// RMS is the root mean square of the samples, 0..1 of full scale.
func (w WAV) RMS() float64 {
	if len(w.Samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range w.Samples {
		v := float64(s) / 32768
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(w.Samples)))
}

// Power returns the signal's power at freq Hz relative to its total power
// (0..1; Goertzel over the first channel), to check which tone arrived.
func (w WAV) Power(freq float64) float64 {
	ch := max(w.Channels, 1)
	n := len(w.Samples) / ch
	if n == 0 || w.Rate == 0 {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(w.Rate))
	var s1, s2, total float64
	for i := 0; i < n; i++ {
		x := float64(w.Samples[i*ch]) / 32768
		total += x * x
		s1, s2 = x+coeff*s1-s2, s1
	}
	if total == 0 {
		return 0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * p / (float64(n) * total)
}
