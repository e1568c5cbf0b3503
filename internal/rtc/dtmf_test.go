package rtc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// sentPacket is one RTP packet as our track wrote it, before SRTP.
type sentPacket struct {
	hdr     rtp.Header
	payload []byte
	at      time.Time
}

// rtpRecorder sits between the audio track and pion's write stream and keeps
// a copy of every packet sent: the recording of what went on the wire.
type rtpRecorder struct {
	next webrtc.TrackLocalWriter

	mu      sync.Mutex
	packets []sentPacket
}

func (r *rtpRecorder) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	r.mu.Lock()
	r.packets = append(r.packets, sentPacket{hdr: *h, payload: append([]byte(nil), payload...), at: time.Now()})
	r.mu.Unlock()

	return r.next.WriteRTP(h, payload)
}

func (r *rtpRecorder) Write(b []byte) (int, error) { return r.next.Write(b) }

func (r *rtpRecorder) sent() []sentPacket {
	r.mu.Lock()
	defer r.mu.Unlock()

	return append([]sentPacket(nil), r.packets...)
}

// recordSent starts recording what s sends (s must be negotiated).
func recordSent(t *testing.T, s *Session) *rtpRecorder {
	t.Helper()
	s.track.mu.Lock()
	defer s.track.mu.Unlock()
	if s.track.writer == nil {
		t.Fatal("the track is not bound")
	}
	r := &rtpRecorder{next: s.track.writer}
	s.track.writer = r

	return r
}

// sentEvent is one RFC 4733 event decoded from the recording: all packets
// with the telephone-event PT and the same timestamp.
type sentEvent struct {
	digit   rune
	packets []sentPacket
}

// decodeEvents groups the telephone-event packets of a recording into events
// and decodes each with the package's own receiver (dtmfReceiver), which
// reports a digit for the first packet of an event.
func decodeEvents(t *testing.T, packets []sentPacket, pt uint8) []sentEvent {
	t.Helper()
	var rx dtmfReceiver
	var events []sentEvent
	for _, p := range packets {
		if p.hdr.PayloadType != pt {
			continue
		}
		pkt := &rtp.Packet{Header: p.hdr, Payload: p.payload}
		if d, ok := rx.receive(pkt); ok {
			events = append(events, sentEvent{digit: d})
		} else if len(events) == 0 {
			t.Fatalf("telephone-event packet %+v belongs to no event", p.hdr)
		}
		events[len(events)-1].packets = append(events[len(events)-1].packets, p)
	}

	return events
}

// TestDTMFSentAsRFC4733 records the RTP our session sends for every digit
// and checks it against RFC 4733: the telephone-event format at the audio
// codec's clock, one timestamp per event (the audio clock at its start), the
// M bit on the first packet only, updates every 50 ms with growing
// durations, three end packets with the final duration in the negotiated
// clock's units, the pause between digits, and pacing in real time (only
// lower bounds on wall-clock time: a busy machine may be slower, never
// faster). The far end must decode the same digits.
func TestDTMFSentAsRFC4733(t *testing.T) {
	tests := []struct {
		name      string
		codecs    []string
		only8000  bool // the far end offers telephone-event/8000 only
		audio     bool // 20 ms audio frames flow during the digits
		wantPT    uint8
		wantRate  uint32 // telephone-event clock: the unit of durations
		audioRate uint32
	}{
		{name: "opus", wantPT: DTMFOpusPayloadType, wantRate: 48000, audioRate: 48000},
		{name: "opus with audio", audio: true, wantPT: DTMFOpusPayloadType, wantRate: 48000, audioRate: 48000},
		{name: "pcmu with audio", codecs: []string{"pcmu"}, audio: true, wantPT: DTMFPayloadType, wantRate: 8000, audioRate: 8000},
		{name: "opus, far end knows only telephone-event/8000", only8000: true, wantPT: DTMFPayloadType, wantRate: 8000, audioRate: 48000},
	}
	const digits = "0123456789*#ABCD"
	duration := func(i int) time.Duration { // 60 to 240 ms: 2 to 5 updates
		return time.Duration(60+60*(i%4)) * time.Millisecond
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newTestSession(t, tc.codecs...), newTestSession(t, tc.codecs...)
			ctx := ctxT(t)
			if tc.only8000 {
				offer, err := a.CreateOffer(ctx)
				if err != nil {
					t.Fatal(err)
				}
				offer = replaceLine(replaceLine(offer, "a=rtpmap:110 ", ""), "a=fmtp:110 ", "")
				answer, err := b.Answer(ctx, offer)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(answer), "telephone-event/48000") {
					t.Fatalf("answer has telephone-event/48000 that was not offered:\n%s", answer)
				}
				if err := a.SetAnswer(answer); err != nil {
					t.Fatal(err)
				}
				if err := a.WaitConnected(ctx); err != nil {
					t.Fatal(err)
				}
			} else {
				connect(t, a, b)
			}
			if c := a.Codec(); c.DTMFPayloadType != tc.wantPT || c.DTMFClockRate != tc.wantRate || c.ClockRate != tc.audioRate {
				t.Fatalf("negotiated %+v, want telephone-event PT %d at %d Hz", c, tc.wantPT, tc.wantRate)
			}
			var mu sync.Mutex
			var got []rune
			b.OnDTMF(func(d rune) { mu.Lock(); got = append(got, d); mu.Unlock() })
			received := func() string { mu.Lock(); defer mu.Unlock(); return string(got) }
			// The first packets can be lost while SRTP starts: prime with audio.
			sendUntil(ctx, t, a, newSink(b), 2, frameFor(0xA4, 40))
			rec := recordSent(t, a)

			stopAudio := make(chan struct{})
			audioDone := make(chan struct{})
			go func() {
				defer close(audioDone)
				if !tc.audio {
					return
				}
				// Like a sound card: frames at the device clock, delivered
				// late but all of them when the machine is busy.
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				start, sent := time.Now(), 0
				for {
					select {
					case <-stopAudio:
						return
					case <-tick.C:
						for ; sent < int(time.Since(start)/(20*time.Millisecond)); sent++ {
							_ = a.SendAudio(frameFor(0xA5, 40)(sent), 20*time.Millisecond)
						}
					}
				}
			}()
			began := time.Now()
			for i, d := range digits {
				if err := a.SendDTMF(ctx, d, duration(i)); err != nil {
					t.Fatal(err)
				}
			}
			took := time.Since(began)
			close(stopAudio)
			<-audioDone
			waitFor(ctx, t, "digits at the far end", func() bool { return len(received()) >= len(digits) })
			if received() != digits {
				t.Fatalf("far end decoded %q, want %q", received(), digits)
			}

			var minTotal time.Duration
			for i := range digits {
				minTotal += duration(i)
			}
			minTotal += time.Duration(len(digits)-1) * DTMFGap
			if took < minTotal {
				t.Fatalf("%d digits took %v, less than their durations and gaps (%v): not real time", len(digits), took, minTotal)
			}

			packets := rec.sent()
			events := decodeEvents(t, packets, tc.wantPT)
			var decoded []rune
			for _, e := range events {
				decoded = append(decoded, e.digit)
			}
			if string(decoded) != digits {
				t.Fatalf("our receiver decoded %q from the recording, want %q", string(decoded), digits)
			}
			var short time.Duration
			for i, e := range events {
				short += checkEvent(t, e, duration(i), tc.wantRate)
			}
			short += checkEventSpacing(t, events, duration, tc.audioRate)
			if short > lateBudget {
				t.Fatalf("events were sent %v ahead of real time in total (see the log): not paced", short)
			}
			if tc.audio {
				checkAudioAroundEvents(t, packets, tc.wantPT, tc.audioRate)
			}
		})
	}
}

// tolerance absorbs the scheduling delay between taking a start time and
// writing the packet; a burst (the old bug) is off by whole update intervals.
const tolerance = 25 * time.Millisecond

// lateBudget bounds the summed shortfalls of all events' timing. Packets are
// timed here by when they were written, so a packet written late (a stall of
// this process) makes the next ones look early; such stalls are rare and
// short, while sending in a burst falls short by about half of every
// digit, seconds in total.
const lateBudget = 250 * time.Millisecond

// shortfall is how much earlier than due something happened (0 if on time).
func shortfall(got, due time.Duration) time.Duration { return max(0, due-tolerance-got) }

// checkEvent checks one event's packets and returns how far its timing fell
// short of real time (the largest shortfall among its packets).
func checkEvent(t *testing.T, e sentEvent, d time.Duration, rate uint32) time.Duration {
	t.Helper()
	name := fmt.Sprintf("event %q", e.digit)
	wantDur := uint16(samples(d, rate))
	first := e.packets[0]
	var ends, updates []sentPacket
	prevDur := uint16(0)
	for i, p := range e.packets {
		if len(p.payload) != 4 {
			t.Fatalf("%s: payload %x is not 4 bytes (RFC 4733 §2.3)", name, p.payload)
		}
		if p.hdr.Marker != (i == 0) {
			t.Fatalf("%s: packet %d has M=%v; only the first may have it (RFC 4733 §2.2.2)", name, i, p.hdr.Marker)
		}
		if i > 0 && p.hdr.SequenceNumber != e.packets[i-1].hdr.SequenceNumber+1 {
			t.Fatalf("%s: sequence %d after %d", name, p.hdr.SequenceNumber, e.packets[i-1].hdr.SequenceNumber)
		}
		if p.hdr.SSRC != first.hdr.SSRC {
			t.Fatalf("%s: SSRC changed", name)
		}
		if vol := p.payload[1] & 0x3F; vol != dtmfVolume {
			t.Fatalf("%s: volume %d", name, vol)
		}
		dur := binary.BigEndian.Uint16(p.payload[2:])
		if dur == 0 || dur < prevDur {
			t.Fatalf("%s: duration %d after %d: must be positive and not shrink (RFC 4733 §2.5.1.2)", name, dur, prevDur)
		}
		prevDur = dur
		if p.payload[1]&0x80 != 0 {
			ends = append(ends, p)
		} else {
			if len(ends) > 0 {
				t.Fatalf("%s: an update after the end packet", name)
			}
			updates = append(updates, p)
		}
	}
	if len(ends) != dtmfEndRepeats {
		t.Fatalf("%s: %d end packets, want 3 (RFC 4733 §2.5.1.4)", name, len(ends))
	}
	for _, p := range ends {
		if got := binary.BigEndian.Uint16(p.payload[2:]); got != wantDur {
			t.Fatalf("%s: final duration %d, want %d (%v at %d Hz)", name, got, wantDur, d, rate)
		}
	}
	// Updates every 50 ms while the event lasts: at 0, 50, ... < d.
	wantUpdates := int((d + dtmfInterval - 1) / dtmfInterval)
	if len(updates) != wantUpdates {
		t.Fatalf("%s: %d updates for %v, want %d (one every %v)", name, len(updates), d, wantUpdates, dtmfInterval)
	}
	var short time.Duration
	for k, p := range updates {
		want := max(time.Duration(k)*dtmfInterval, dtmfFirstDuration)
		if got := binary.BigEndian.Uint16(p.payload[2:]); got != uint16(samples(want, rate)) {
			t.Fatalf("%s: update %d has duration %d, want %d", name, k, got, samples(want, rate))
		}
		if s := shortfall(p.at.Sub(first.at), time.Duration(k)*dtmfInterval); s > short {
			short = s
			t.Logf("%s: update %d sent %v after the first, before its time (%v)", name, k, p.at.Sub(first.at), time.Duration(k)*dtmfInterval)
		}
	}
	if s := shortfall(ends[0].at.Sub(first.at), d); s > short {
		short = s
		t.Logf("%s: ended %v after it began, shorter than its %v", name, ends[0].at.Sub(first.at), d)
	}

	return short
}

// checkEventSpacing checks the time between events: the gap in wall-clock
// time, and timestamps that follow the audio clock (each event starts at
// least its predecessor's duration later, and the clock never runs ahead of
// real time, which made far ends' jitter buffers grow).
//
// It returns the summed shortfall of the pauses.
func checkEventSpacing(t *testing.T, events []sentEvent, duration func(int) time.Duration, audioRate uint32) time.Duration {
	t.Helper()
	var short time.Duration
	for i := 1; i < len(events); i++ {
		prev, cur := events[i-1], events[i]
		prevEnd := prev.packets[len(prev.packets)-1]
		if s := shortfall(cur.packets[0].at.Sub(prevEnd.at), DTMFGap); s > 0 {
			short += s
			t.Logf("event %d began %v after event %d ended, want a pause of %v", i, cur.packets[0].at.Sub(prevEnd.at), i-1, DTMFGap)
		}
		step := cur.packets[0].hdr.Timestamp - prev.packets[0].hdr.Timestamp
		if int32(step) < int32(samples(duration(i-1), audioRate)) {
			t.Fatalf("event %d starts %d samples after event %d, which lasted %d", i, int32(step), i-1, samples(duration(i-1), audioRate))
		}
	}
	first, last := events[0].packets[0], events[len(events)-1].packets[0]
	rtpSpan := time.Duration(last.hdr.Timestamp-first.hdr.Timestamp) * time.Second / time.Duration(audioRate)
	wall := last.at.Sub(first.at)
	// Generous: a frame of rounding at most, and scheduling delays.
	if rtpSpan > wall+20*time.Millisecond+tolerance {
		t.Fatalf("the RTP clock advanced %v in %v of real time: faster than real time", rtpSpan, wall)
	}

	return short
}

// checkAudioAroundEvents checks the audio packets sent between events: none
// while an event lasts, continuous timestamps (each a whole number of frames
// after the previous), and after an event the M bit and a timestamp past the
// event's end (RFC 4733 §2.5.1.3, RFC 3550 §5.1).
func checkAudioAroundEvents(t *testing.T, packets []sentPacket, pt uint8, audioRate uint32) {
	t.Helper()
	step := audioRate / 50
	var lastAudio *sentPacket
	var inEvent bool
	var evTS, evEnd uint32
	audio := 0
	for i := range packets {
		p := &packets[i]
		if p.hdr.PayloadType == pt {
			inEvent = p.payload[1]&0x80 == 0
			evTS = p.hdr.Timestamp
			evEnd = evTS + uint32(binary.BigEndian.Uint16(p.payload[2:]))*audioRate/audioRateOf(pt, audioRate)
			continue
		}
		audio++
		if inEvent {
			t.Fatalf("audio packet %d sent during an event", p.hdr.SequenceNumber)
		}
		if lastAudio != nil {
			if d := p.hdr.Timestamp - lastAudio.hdr.Timestamp; d%step != 0 || int32(d) <= 0 {
				t.Fatalf("audio timestamp moved by %d, not a whole number of %d-sample frames", int32(d), step)
			}
			if evTS != 0 && int32(lastAudio.hdr.Timestamp-evTS) < 0 {
				// First audio after an event.
				if !p.hdr.Marker {
					t.Fatal("the first audio packet after an event has no M bit")
				}
				if int32(p.hdr.Timestamp-evEnd) < 0 {
					t.Fatalf("audio at %d resumes before the event's end at %d", p.hdr.Timestamp, evEnd)
				}
			}
		}
		lastAudio = p
	}
	if audio == 0 {
		t.Fatal("no audio packets between the events")
	}
}

// audioRateOf is the clock of the telephone-event PT in these tests.
func audioRateOf(pt uint8, audioRate uint32) uint32 {
	if pt == DTMFPayloadType {
		return 8000
	}

	return audioRate
}

// A context ends the wait for a digit's turn at once, and ends a digit being
// sent early, with its end packets, so that the far end stops the tone.
func TestDTMFContext(t *testing.T) {
	a, b := newTestSession(t), newTestSession(t)
	connect(t, a, b)
	ctx := ctxT(t)
	sendUntil(ctx, t, a, newSink(b), 2, frameFor(0xA4, 40))
	rec := recordSent(t, a)

	long, stopLong := context.WithCancel(ctx)
	defer stopLong()
	done := make(chan error, 1)
	go func() { done <- a.SendDTMF(long, '5', time.Second) }()
	waitFor(ctx, t, "the first event packet", func() bool { return len(rec.sent()) > 0 })

	// A second digit waits for the first; its context gives up.
	waiting, stopWaiting := context.WithTimeout(ctx, 100*time.Millisecond)
	defer stopWaiting()
	if err := a.SendDTMF(waiting, '6', 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second digit: %v, want the context's deadline", err)
	}
	stopLong()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled digit: %v", err)
	}
	events := decodeEvents(t, rec.sent(), DTMFOpusPayloadType)
	if len(events) != 1 || events[0].digit != '5' {
		t.Fatalf("events %+v, want one '5'", events)
	}
	var ends int
	for _, p := range events[0].packets {
		if p.payload[1]&0x80 != 0 {
			ends++
			if d := binary.BigEndian.Uint16(p.payload[2:]); d == 0 || uint32(d) >= samples(time.Second, 48000) {
				t.Fatalf("end packet after cancel has duration %d: want the time sent so far", d)
			}
		}
	}
	if ends != dtmfEndRepeats {
		t.Fatalf("%d end packets after cancel, want %d", ends, dtmfEndRepeats)
	}
	// The session still sends digits afterwards.
	if err := a.SendDTMF(ctx, '7', 0); err != nil {
		t.Fatal(err)
	}
}

// Answering, Parley takes the offerer's telephone-event payload types and
// sends events on the one at the audio codec's clock (RFC 3264 §6.1: the
// answer uses the offer's PTs). The offers are ours with the PTs renumbered,
// e.g. as Chromium numbers them (110 at 48 kHz, 126 at 8 kHz).
func TestDTMFAnswerTakesOfferedPayloadTypes(t *testing.T) {
	tests := []struct {
		name      string
		codecs    []string // the answerer's
		renumber  map[string]string
		drop48000 bool
		wantPT    uint8
		wantRate  uint32
	}{
		{name: "chromium numbering", renumber: map[string]string{"101": "126"}, wantPT: 110, wantRate: 48000},
		{name: "other PT at 48 kHz", renumber: map[string]string{"110": "97", "101": "96"}, wantPT: 97, wantRate: 48000},
		{name: "8 kHz only next to Opus", drop48000: true, renumber: map[string]string{"101": "100"}, wantPT: 100, wantRate: 8000},
		{name: "pcmu answerer", codecs: []string{"pcmu"}, renumber: map[string]string{"101": "126"}, wantPT: 126, wantRate: 8000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			far, b := newTestSession(t), newTestSession(t, tc.codecs...)
			ctx := ctxT(t)
			offer, err := far.CreateOffer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.drop48000 {
				offer = replaceLine(replaceLine(offer, "a=rtpmap:110 ", ""), "a=fmtp:110 ", "")
			}
			s := string(offer)
			for from, to := range tc.renumber {
				s = strings.ReplaceAll(s, "a=rtpmap:"+from+" ", "a=rtpmap:"+to+" ")
				s = strings.ReplaceAll(s, "a=fmtp:"+from+" ", "a=fmtp:"+to+" ")
				s = strings.Replace(s, " "+from+" ", " "+to+" ", 1) // the m= line
				s = strings.Replace(s, " "+from+"\r\n", " "+to+"\r\n", 1)
			}
			answer, err := b.Answer(ctx, []byte(s))
			if err != nil {
				t.Fatal(err)
			}
			c := b.Codec()
			if c.DTMFPayloadType != tc.wantPT || c.DTMFClockRate != tc.wantRate {
				t.Fatalf("negotiated %+v, want telephone-event PT %d at %d Hz\noffer:\n%s", c, tc.wantPT, tc.wantRate, s)
			}
			want := fmt.Sprintf("a=rtpmap:%d telephone-event/%d", tc.wantPT, tc.wantRate)
			if !strings.Contains(string(answer), want) {
				t.Fatalf("answer lacks %q:\n%s", want, answer)
			}
			b.track.mu.Lock()
			pt, rate := b.track.dtmfPT, b.track.dtmfRate
			b.track.mu.Unlock()
			if pt != tc.wantPT || rate != tc.wantRate {
				t.Fatalf("the track sends events on PT %d at %d Hz, want %d at %d", pt, rate, tc.wantPT, tc.wantRate)
			}
		})
	}
}
