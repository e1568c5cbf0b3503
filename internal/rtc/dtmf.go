package rtc

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/pion/rtp"
)

// RFC 4733 sending parameters.
const (
	// dtmfInterval is the spacing of event updates (RFC 4733 §2.5.1.2 suggests 50 ms).
	dtmfInterval = 50 * time.Millisecond
	// dtmfEndRepeats: the final packet is sent three times (RFC 4733 §2.5.1.4).
	dtmfEndRepeats = 3
	// dtmfVolume is the power level, -10 dBm0 expressed as 10 (RFC 4733 §2.3.4).
	dtmfVolume = 10
	// DefaultDTMFDuration is used when SendDTMF gets a duration of zero.
	DefaultDTMFDuration = 100 * time.Millisecond
	minDTMFDuration     = 40 * time.Millisecond
)

// dtmfEvent maps a digit to its RFC 4733 §3.2 event code.
func dtmfEvent(d rune) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return uint8(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return uint8(d-'A') + 12, true
	case d >= 'a' && d <= 'd':
		return uint8(d-'a') + 12, true
	}

	return 0, false
}

// dtmfDigit is the inverse of dtmfEvent for events 0-15.
func dtmfDigit(ev uint8) (rune, bool) {
	const digits = "0123456789*#ABCD"
	if int(ev) < len(digits) {
		return rune(digits[ev]), true
	}

	return 0, false
}

// sendDTMF sends one RFC 4733 event: updates every dtmfInterval with the
// same RTP timestamp (the event's start) and growing duration, then the end
// packet three times. Audio is suppressed meanwhile. It blocks for about the
// event's duration; stop aborts it (session closing).
func (t *audioTrack) sendDTMF(digit rune, d time.Duration, stop <-chan struct{}) error {
	ev, ok := dtmfEvent(digit)
	if !ok {
		return fmt.Errorf("%w: %q", ErrBadDTMFDigit, digit)
	}
	if d == 0 {
		d = DefaultDTMFDuration
	}
	d = max(d, minDTMFDuration)

	t.mu.Lock()
	switch {
	case t.writer == nil:
		t.mu.Unlock()

		return ErrNotNegotiated
	case t.dtmfPT == 0:
		t.mu.Unlock()

		return ErrDTMFNotNegotiated
	case t.dtmf:
		t.mu.Unlock()

		return ErrDTMFBusy
	case !t.sending:
		t.mu.Unlock()

		return fmt.Errorf("%w: the call is on hold, no media is being sent", ErrWrongState)
	}
	t.dtmf = true
	start := t.ts
	t.mu.Unlock()

	defer func() {
		t.mu.Lock()
		t.dtmf = false
		// If no audio frames advanced the clock during the event, move it past
		// the event so the next event gets a new timestamp (RFC 4733 §2.5.1.3).
		if end := start + samples(d, t.clockRate); int32(t.ts-end) < 0 {
			t.ts = end
		}
		t.marker = true
		t.mu.Unlock()
	}()

	ticker := time.NewTicker(dtmfInterval)
	defer ticker.Stop()
	for elapsed, first := dtmfInterval, true; ; elapsed, first = elapsed+dtmfInterval, false {
		final := elapsed >= d
		if final {
			elapsed = d
		}
		repeats := 1
		if final {
			repeats = dtmfEndRepeats
		}
		for i := range repeats {
			if err := t.writeEvent(ev, start, elapsed, final, first && i == 0); err != nil {
				return err
			}
		}
		if final {
			return nil
		}
		select {
		case <-ticker.C:
		case <-stop:
			return ErrClosed
		}
	}
}

// writeEvent writes one telephone-event packet (RFC 4733 §2.3).
func (t *audioTrack) writeEvent(ev uint8, ts uint32, elapsed time.Duration, end, first bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return ErrClosed
	}
	dur := min(samples(elapsed, t.dtmfRate), 0xFFFF)
	var payload [4]byte
	payload[0] = ev
	payload[1] = dtmfVolume
	if end {
		payload[1] |= 0x80
	}
	binary.BigEndian.PutUint16(payload[2:], uint16(dur))
	t.hdr = rtp.Header{
		Version: 2, Marker: first, PayloadType: t.dtmfPT, // M bit on the first packet (§2.5.1.3)
		SequenceNumber: t.seq, Timestamp: ts, SSRC: t.ssrc,
	}
	t.seq++
	if _, err := t.writer.WriteRTP(&t.hdr, payload[:]); err != nil {
		return fmt.Errorf("send DTMF: %w", err)
	}
	t.packets.Add(1)
	t.octets.Add(uint64(len(payload)))

	return nil
}

// dtmfReceiver de-duplicates received RFC 4733 events: one event is all the
// packets with the same RTP timestamp (updates and the end-bit
// retransmissions, §2.5.1.4), reported once when its first packet arrives.
// Only the reader goroutine uses it.
type dtmfReceiver struct {
	lastTS uint32
	have   bool
}

// receive returns the digit of pkt if it starts a new event.
func (r *dtmfReceiver) receive(pkt *rtp.Packet) (rune, bool) {
	if len(pkt.Payload) < 4 {
		return 0, false
	}
	if r.have && pkt.Timestamp == r.lastTS {
		return 0, false
	}
	r.have, r.lastTS = true, pkt.Timestamp

	return dtmfDigit(pkt.Payload[0])
}
