package rtc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
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
	// dtmfFirstDuration is the duration the first packet reports: one 20 ms
	// audio frame, the span the event replaces, rather than 0, which some
	// receivers discard as an empty event.
	dtmfFirstDuration = 20 * time.Millisecond
	// DTMFGap is the pause between two events, measured from the end of one to
	// the start of the next; 70 ms is WebRTC's default inter-tone gap
	// (RTCDTMFSender.insertDTMF) and more than the 40 ms that DTMF detectors
	// need (ITU-T Q.24).
	DTMFGap = 70 * time.Millisecond
	// DefaultDTMFDuration is used when SendDTMF gets a duration of zero.
	DefaultDTMFDuration = 100 * time.Millisecond
	minDTMFDuration     = 40 * time.Millisecond
	// maxDTMFDuration keeps the duration field within 16 bits at 48 kHz
	// (RFC 4733 §2.3.5), so no event has to be split (§2.5.1.3).
	maxDTMFDuration = time.Second
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

// sendDTMF sends one RFC 4733 event in real time (§2.5.1): the first packet
// (M bit, §2.2.2) at once, an update with the duration so far every
// dtmfInterval (§2.5.1.2), and at the event's end the final packet three
// times (§2.5.1.4). All carry the event's start as RTP timestamp (§2.2.1):
// the audio clock at that moment. Durations count in the negotiated
// telephone-event clock (§2.3.5). Audio frames are suppressed meanwhile but
// keep advancing the audio clock, so audio resumes with continuous
// timestamps.
//
// Events are sent one at a time, in call order, at least DTMFGap apart. It
// blocks for the gap and the event's duration; ctx abandons the wait or ends
// an event early (its end packets are still sent, so the far end stops the
// tone), stop aborts it (session closing).
func (t *audioTrack) sendDTMF(ctx context.Context, digit rune, d time.Duration, stop <-chan struct{}) error {
	ev, ok := dtmfEvent(digit)
	if !ok {
		return fmt.Errorf("%w: %q", ErrBadDTMFDigit, digit)
	}
	if d == 0 {
		d = DefaultDTMFDuration
	}
	d = min(max(d, minDTMFDuration), maxDTMFDuration)

	select {
	case t.dtmfTurn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("send DTMF: %w", ctx.Err())
	case <-stop:
		return ErrClosed
	}
	defer func() { <-t.dtmfTurn }()

	t.mu.Lock()
	gapEnd := t.lastEventEnd.Add(DTMFGap)
	t.mu.Unlock()
	timer := time.NewTimer(time.Until(gapEnd))
	defer timer.Stop()
	if err := waitTimer(ctx, timer, stop); err != nil {
		return err
	}

	t.mu.Lock()
	switch {
	case t.writer == nil:
		t.mu.Unlock()

		return ErrNotNegotiated
	case t.dtmfPT == 0:
		t.mu.Unlock()

		return ErrDTMFNotNegotiated
	case !t.sending:
		t.mu.Unlock()

		return fmt.Errorf("%w: the call is on hold, no media is being sent", ErrWrongState)
	}
	began := time.Now()
	t.dtmf = true
	start, exactStart := t.audioClockLocked(began)
	// A source running late may not have reached the previous event's end
	// yet: never let two events' spans overlap.
	if t.hadEvent && int32(t.eventEnd-start) > 0 {
		start = t.eventEnd
	}
	t.mu.Unlock()

	final := d // the duration the end packets report
	defer func() {
		now := time.Now()
		t.mu.Lock()
		t.dtmf = false
		// Frames captured during the event but delivered after it (a late
		// source) are dropped too: audio resumes after the event's span.
		t.eventEnd, t.hadEvent, t.suppressing = start+samples(final, t.clockRate), true, true
		// While an audio source runs, it is the clock: its frames advanced the
		// timestamp during the event (or will, when it catches up) and stay
		// on the sampling clock (RFC 3550 §5.1). Without a source nothing
		// advanced it: move it past the event so that the next event and
		// audio follow real time.
		if !t.sourceRunningLocked(now) {
			exact := exactStart + samples(now.Sub(began), t.clockRate)
			t.advanceLocked(exact)
			// The anchor is the exact clock, not the frame-rounded one, so
			// that rounding never accumulates over many events.
			t.clockTS, t.clockAt = exact, now
		}
		t.marker = true
		t.lastEventEnd = now
		t.mu.Unlock()
	}()

	// Updates at 0, 50, 100 ms... after the start, each due at an absolute
	// time so that the event does not drift longer than d.
	var err error
	for k := 0; time.Duration(k)*dtmfInterval < d; k++ {
		at := time.Duration(k) * dtmfInterval
		if k > 0 {
			timer.Reset(time.Until(began.Add(at)))
			if err = waitTimer(ctx, timer, stop); err != nil {
				break
			}
		}
		if err := t.writeEvent(ev, start, max(at, min(dtmfFirstDuration, d)), false, k == 0); err != nil {
			return err
		}
	}
	if err == nil {
		timer.Reset(time.Until(began.Add(d)))
		err = waitTimer(ctx, timer, stop)
	}
	if errors.Is(err, ErrClosed) {
		return err
	}
	if err != nil {
		final = max(time.Since(began), min(dtmfFirstDuration, d))
	}
	for range dtmfEndRepeats {
		if werr := t.writeEvent(ev, start, final, true, false); werr != nil {
			return werr
		}
	}

	return err
}

// waitTimer waits for timer to fire, ctx to end or stop to close.
func waitTimer(ctx context.Context, timer *time.Timer, stop <-chan struct{}) error {
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("send DTMF: %w", ctx.Err())
	case <-stop:
		return ErrClosed
	}
}

// sourceIdle is how long the audio source may deliver no frame before the
// track stops treating it as the clock. A running source that stalls (a
// busy machine, a sound card delivering in bursts) catches up with the
// frames it owes, so carrying the clock forward meanwhile would count that
// time twice and run the RTP clock ahead of real time.
const sourceIdle = 500 * time.Millisecond

// sourceRunningLocked reports whether audio frames are flowing.
func (t *audioTrack) sourceRunningLocked(now time.Time) bool {
	return !t.lastFrameAt.IsZero() && now.Sub(t.lastFrameAt) <= sourceIdle
}

// audioClockLocked returns the RTP timestamp of the audio clock at now.
// While an audio source runs, that is its next frame's timestamp; without
// one, the clock is carried forward by wall time from the last frame or
// event, so that an event's timestamp is the audio clock at its start (RFC
// 4733 §2.2.1) and timestamps follow the sampling clock (RFC 3550 §5.1). It
// never moves the clock backwards. exact is the clock before rounding to
// whole frames, for the next anchor.
func (t *audioTrack) audioClockLocked(now time.Time) (ts, exact uint32) {
	if t.sourceRunningLocked(now) || t.clockAt.IsZero() || now.Before(t.clockAt) {
		return t.ts, t.ts
	}
	exact = t.clockTS + samples(now.Sub(t.clockAt), t.clockRate)
	t.advanceLocked(exact)
	if int32(t.ts-exact) < 0 {
		exact = t.ts
	}

	return t.ts, exact
}

// advanceLocked moves the audio clock forward to at least ts, by whole audio
// frames once frames have been sent, so that audio timestamps stay on the
// frame grid (a receiver sees a gap of whole frames, as after hold).
func (t *audioTrack) advanceLocked(ts uint32) {
	behind := int32(ts - t.ts)
	if behind <= 0 {
		return
	}
	if t.step == 0 {
		t.ts = ts

		return
	}
	frames := (uint32(behind) + t.step - 1) / t.step
	t.ts += frames * t.step
}

// writeEvent writes one telephone-event packet (RFC 4733 §2.3).
func (t *audioTrack) writeEvent(ev uint8, ts uint32, elapsed time.Duration, end, first bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return ErrClosed
	}
	if !t.sending {
		// Put on hold during the event: RFC 3264 §5.1, nothing more may be sent.
		return fmt.Errorf("%w: the call was put on hold during the digit", ErrWrongState)
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
		Version: 2, Marker: first, PayloadType: t.dtmfPT, // M bit on the first packet (§2.2.2)
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

// pickTelephoneEvent chooses the telephone-event format to send with an audio
// codec of the given clock rate: the one at that rate (the event timestamps
// are the audio's, RFC 4733 §2.1), else the first one listed, whose duration
// unit is then its own rate (a far end that offers only
// telephone-event/8000 next to Opus expects 8 kHz durations).
func pickTelephoneEvent(maps []RTPMap, rate uint32) (RTPMap, bool) {
	var first *RTPMap
	for i := range maps {
		m := &maps[i]
		if !strings.EqualFold(m.Name, "telephone-event") {
			continue
		}
		if m.ClockRate == rate {
			return *m, true
		}
		if first == nil {
			first = m
		}
	}
	if first == nil {
		return RTPMap{}, false
	}

	return *first, true
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
