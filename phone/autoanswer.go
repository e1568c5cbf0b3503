package phone

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-voip/parley/internal/sipua"
)

// AutoAnswerMode says which incoming calls the phone answers by itself.
type AutoAnswerMode string

// Auto-answer modes; the names are those of the fleet key auto_answer
// (docs/deploy.md) and of the -auto-answer flag.
const (
	// AutoAnswerOff rings every call until the user answers (default).
	AutoAnswerOff AutoAnswerMode = "off"
	// AutoAnswerIntercom answers the calls the caller or the PBX marks for
	// it: Answer-Mode: Auto (RFC 5373 §4.1) or a Call-Info with an
	// answer-after parameter (the de-facto intercom/paging header of
	// Asterisk, FreeSWITCH and Polycom), after the delay it names if any.
	AutoAnswerIntercom AutoAnswerMode = "intercom"
	// AutoAnswerAlways answers every incoming call.
	AutoAnswerAlways AutoAnswerMode = "always"
)

// ParseAutoAnswerMode accepts off, intercom or always (any case; "" is off).
func ParseAutoAnswerMode(s string) (AutoAnswerMode, error) {
	switch m := AutoAnswerMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", AutoAnswerOff:
		return AutoAnswerOff, nil
	case AutoAnswerIntercom, AutoAnswerAlways:
		return m, nil
	}
	return "", fmt.Errorf("%w: auto-answer %q (use off, intercom or always)", ErrInvalidAccount, s)
}

// intercomRequest reports whether an INVITE asks to be answered without
// the user, and after how long the caller wants it answered (0: at once).
func intercomRequest(inc *sipua.Incoming) (bool, time.Duration) {
	if mode, _, _ := strings.Cut(inc.Header("Answer-Mode"), ";"); strings.EqualFold(strings.TrimSpace(mode), "auto") {
		return true, 0
	}
	ci := inc.Header("Call-Info")
	for _, p := range strings.Split(ci, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "answer-after") {
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`))
			if err != nil || n < 0 {
				n = 0
			}
			return true, time.Duration(n) * time.Second
		}
	}
	return false, 0
}

// autoAnswerDelay decides whether the phone answers inc by itself, and when.
func (p *Phone) autoAnswerDelay(inc *sipua.Incoming) (bool, time.Duration) {
	switch p.cfg.autoAnswer {
	case AutoAnswerAlways:
		return true, p.cfg.autoAnswerDelay
	case AutoAnswerIntercom:
		ok, after := intercomRequest(inc)
		if !ok {
			return false, 0
		}
		return true, max(after, p.cfg.autoAnswerDelay)
	}
	return false, 0
}

// autoAnswer answers a ringing call after delay, unless it stopped ringing
// first (caller hung up, the user answered or rejected it).
func (p *Phone) autoAnswer(c *call, id string, delay time.Duration) {
	p.goTracked(func() {
		if delay > 0 {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-c.stop:
				return
			}
		}
		if !p.stillRinging(id) {
			return
		}
		p.log.Info("answering automatically", "call", id, "mode", string(p.cfg.autoAnswer))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Accept(ctx, id); err != nil {
			p.log.Warn("auto-answer failed", "call", id, "err", err)
		}
	})
}
