package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
)

// DTMFMethod selects how SendDTMF sends digits.
type DTMFMethod int

// DTMF methods for WithDTMFMethod.
const (
	// DTMFAuto sends RFC 4733 events in the media when the far end accepted
	// telephone-event, else SIP INFO (application/dtmf-relay). The default.
	DTMFAuto DTMFMethod = iota
	// DTMFRFC4733 sends only RFC 4733 events; SendDTMF fails on a call
	// without telephone-event.
	DTMFRFC4733
	// DTMFInfo sends only SIP INFO, for PBXes configured for it (Asterisk
	// dtmf_mode=info) even though telephone-event was negotiated.
	DTMFInfo
)

// String is the setting's name: auto, rfc4733 or info.
func (m DTMFMethod) String() string {
	switch m {
	case DTMFAuto:
		return "auto"
	case DTMFRFC4733:
		return "rfc4733"
	case DTMFInfo:
		return "info"
	}
	return fmt.Sprintf("DTMFMethod(%d)", int(m))
}

// ParseDTMFMethod reads auto, rfc4733 (or rfc2833) or info.
func ParseDTMFMethod(s string) (DTMFMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return DTMFAuto, nil
	case "rfc4733", "rfc2833":
		return DTMFRFC4733, nil
	case "info":
		return DTMFInfo, nil
	}
	return DTMFAuto, fmt.Errorf("unknown DTMF method %q (use auto, rfc4733 or info)", s)
}

// WithDTMFMethod selects how digits are sent (default DTMFAuto).
func WithDTMFMethod(m DTMFMethod) Option { return func(c *config) { c.dtmfMethod = m } }

// dtmfDuration is each tone's length; 100 ms is what desk phones send and
// what IVRs reliably detect.
const dtmfDuration = 100 * time.Millisecond

// CheckDTMF reports, in plain language, why digits cannot be sent as DTMF
// (RFC 4733 §3.2 events 0-15: 0-9, *, #, A-D), or nil.
func CheckDTMF(digits string) error {
	if digits == "" {
		return fmt.Errorf("%w: no digits to send", ErrDTMFUnavailable)
	}
	for _, d := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcd", d) {
			return fmt.Errorf("%w: %q is not a DTMF digit (use 0-9, *, #, A-D)", ErrDTMFUnavailable, d)
		}
	}
	return nil
}

// SendDTMF sends digits as RFC 4733 telephone-events in the media, falling
// back to SIP INFO (application/dtmf-relay) when the far end did not
// negotiate telephone-event (see WithDTMFMethod). Digits are sent in real
// time, one 100 ms tone after the other with a 70 ms pause (rtc.DTMFGap),
// so "1470" takes about 0.7 s; ctx bounds it. Other calls and commands are
// not held up meanwhile.
func (p *Phone) SendDTMF(ctx context.Context, id, digits string) error {
	if err := CheckDTMF(digits); err != nil {
		return err
	}
	p.mu.Lock()
	c, err := p.lookup(id)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	dlg, media := c.dialog, c.media
	p.mu.Unlock()
	if dlg == nil || media == nil {
		return fmt.Errorf("%w: the call is not established", ErrWrongState)
	}
	method := p.cfg.dtmfMethod
	for _, d := range strings.ToUpper(digits) {
		err := rtc.ErrDTMFNotNegotiated
		if method != DTMFInfo {
			err = media.SendDTMF(ctx, d, dtmfDuration)
		}
		if errors.Is(err, rtc.ErrDTMFNotNegotiated) && method != DTMFRFC4733 {
			err = sendInfoDTMF(ctx, dlg, d, dtmfDuration)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrDTMFUnavailable, err)
		}
	}
	return nil
}

// infoSender is the part of a dialog that sends INFO.
type infoSender interface {
	Info(ctx context.Context, contentType string, body []byte) error
}

// sendInfoDTMF sends one digit as SIP INFO with the application/dtmf-relay
// body PBXes and phones understand ("Signal=5", "Duration=" in ms; no RFC
// defines it, it comes from Cisco and is what Asterisk, FreeSWITCH, PJSIP
// and baresip parse), then waits for the tone's duration and the gap, as the
// far end plays it for that long: an INFO arriving earlier would cut the
// previous tone short (baresip then never ends it). The wait counts from
// the INFO's 2xx, not from its sending: the far end had the digit by then,
// so however late a busy proxy or far end handled it, the next digit cannot
// arrive while this one still plays.
func sendInfoDTMF(ctx context.Context, dlg infoSender, d rune, dur time.Duration) error {
	body := fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", d, dur.Milliseconds())
	if err := dlg.Info(ctx, "application/dtmf-relay", []byte(body)); err != nil {
		return err
	}
	t := time.NewTimer(dur + rtc.DTMFGap)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
