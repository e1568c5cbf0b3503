package dsp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotWAV reports input that is not a 16-bit PCM RIFF/WAVE file.
var ErrNotWAV = errors.New("dsp: not a 16-bit PCM WAV file")

// WriteWAV writes mono 16-bit PCM as a canonical RIFF/WAVE file, the format
// opusenc, sox and the test rig exchange.
func WriteWAV(w io.Writer, rate int, pcm []int16) error {
	dataLen := uint32(2 * len(pcm))
	hdr := make([]byte, 44)
	copy(hdr[0:], "RIFF")
	binary.LittleEndian.PutUint32(hdr[4:], 36+dataLen)
	copy(hdr[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(hdr[16:], 16)
	binary.LittleEndian.PutUint16(hdr[20:], 1) // PCM
	binary.LittleEndian.PutUint16(hdr[22:], 1) // mono
	binary.LittleEndian.PutUint32(hdr[24:], uint32(rate))
	binary.LittleEndian.PutUint32(hdr[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(hdr[32:], 2)
	binary.LittleEndian.PutUint16(hdr[34:], 16)
	copy(hdr[36:], "data")
	binary.LittleEndian.PutUint32(hdr[40:], dataLen)
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("write WAV header: %w", err)
	}
	buf := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write WAV data: %w", err)
	}
	return nil
}

// ReadWAV parses a 16-bit PCM WAV file and returns its rate and the first
// channel's samples. Unknown chunks are skipped.
func ReadWAV(b []byte) (rate int, pcm []int16, err error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrNotWAV)
	}
	channels := 0
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		if size < 0 || size > len(body) {
			size = len(body) // streamed WAVs (opusdec to a pipe) leave sizes open
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return 0, nil, fmt.Errorf("%w: short fmt chunk", ErrNotWAV)
			}
			format := binary.LittleEndian.Uint16(body[0:])
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bitsPer := binary.LittleEndian.Uint16(body[14:])
			if (format != 1 && format != 0xFFFE) || bitsPer != 16 || channels < 1 {
				return 0, nil, fmt.Errorf("%w: format %d, %d bits, %d channels", ErrNotWAV, format, bitsPer, channels)
			}
		case "data":
			if channels == 0 {
				return 0, nil, fmt.Errorf("%w: data before fmt", ErrNotWAV)
			}
			n := size / (2 * channels)
			pcm = make([]int16, n)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(body[2*channels*i:]))
			}
			return rate, pcm, nil
		}
		p += 8 + size + size&1
	}
	return 0, nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
}
