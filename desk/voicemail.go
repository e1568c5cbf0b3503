package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// ErrNoVoicemail: the user has no mailbox on the server; the front ends
// hide voicemail.
var ErrNoVoicemail = errors.New("you have no voicemail box")

// VoicemailTimeout bounds one voicemail request, so a slow server never
// leaves the window waiting.
const VoicemailTimeout = 15 * time.Second

// VoicemailMessage is one message of the user's mailbox, in plain terms.
type VoicemailMessage struct {
	ID           string        `json:"id"`
	CallerName   string        `json:"callerName,omitempty"`
	CallerNumber string        `json:"callerNumber,omitempty"`
	Time         time.Time     `json:"time"`
	Duration     time.Duration `json:"duration"`
	// Unread: the message is in the inbox (or urgent) folder, not yet
	// listened to or marked read.
	Unread bool `json:"unread"`
	// Folder is the server's folder name ("inbox", "old" …).
	Folder string `json:"folder"`
}

// Caller is what a list shows for who left the message: the name, else
// the number, else "".
func (m VoicemailMessage) Caller() string { return cmp.Or(m.CallerName, m.CallerNumber) }

// VoicemailChange says what happened to a message.
type VoicemailChange string

// Changes, from the server's user_voicemail_message_* events.
const (
	VoicemailCreated VoicemailChange = "created" // a new message arrived
	VoicemailUpdated VoicemailChange = "updated" // moved to another folder (read)
	VoicemailDeleted VoicemailChange = "deleted"
)

// VoicemailEvent is one change of the mailbox with the message-waiting
// count after it.
type VoicemailEvent struct {
	Change  VoicemailChange  `json:"change"`
	Message VoicemailMessage `json:"message"`
	Unread  int              `json:"unread"`
}

// Voicemail is the user's mailbox (wazo-calld's voicemails plugin,
// docs/wazo-protocol.md, Voicemail). It keeps the messages and the
// message-waiting count (the unread messages) up to date from the server's
// events, which is what the Wazo SDK's clients do (the SDK has no SIP MWI
// handling; docs/wazo-protocol.md, Voicemail).
type Voicemail struct {
	d       *Desk
	timeout time.Duration
	hub     *eventq.Hub[VoicemailEvent]

	start sync.Once
	mu    sync.Mutex
	ready bool // the first listing arrived
	none  bool // the server said the user has no mailbox
	msgs  map[string]VoicemailMessage
}

// Voicemail returns the mailbox service, the same one every time. Call
// Start once to load it and follow the server's events.
func (d *Desk) Voicemail() *Voicemail {
	d.svcMu.Lock()
	defer d.svcMu.Unlock()
	if d.voicemail == nil {
		d.voicemail = &Voicemail{d: d, timeout: VoicemailTimeout, hub: eventq.New[VoicemailEvent](), msgs: map[string]VoicemailMessage{}}
	}
	return d.voicemail
}

// Start loads the mailbox and follows its events until the desk closes.
// It returns at once; Subscribe reports the first count as an "updated"
// event with an empty message. Calling it again does nothing.
func (v *Voicemail) Start() {
	v.start.Do(func() {
		// Subscribe before listing, so nothing that happens meanwhile is
		// missed; events are applied by state (set or remove one message),
		// so one that the listing already contains changes nothing.
		events, stop := v.d.line.Subscribe()
		v.d.goOwned(func(ctx context.Context) {
			defer stop()
			defer v.hub.Close()
			if err := v.refresh(ctx); err != nil {
				v.d.log.Warn("desk: could not load the voicemail box", "err", err)
			}
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-events:
					if !ok {
						return
					}
					if ev.Name == wazoline.EventResynced {
						// Events were lost while the socket was down.
						if err := v.refresh(ctx); err != nil {
							v.d.log.Warn("desk: could not reload the voicemail box", "err", err)
						}
						continue
					}
					v.apply(ev.Name, ev.Data)
				}
			}
		})
	})
}

// Subscribe returns every change of the mailbox from now on, in order.
func (v *Voicemail) Subscribe() (<-chan VoicemailEvent, func()) { return v.hub.Subscribe() }

// Available reports whether the user has a mailbox (false until the first
// listing and when the server has none for them).
func (v *Voicemail) Available() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ready && !v.none
}

// Unread is the message-waiting count: the messages not yet read.
func (v *Voicemail) Unread() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.unreadLocked()
}

func (v *Voicemail) unreadLocked() int {
	n := 0
	for _, m := range v.msgs {
		if m.Unread {
			n++
		}
	}
	return n
}

// Messages lists the mailbox, newest first, fresh from the server.
func (v *Voicemail) Messages(ctx context.Context) ([]VoicemailMessage, error) {
	if err := v.refresh(ctx); err != nil {
		return nil, err
	}
	return v.Cached(), nil
}

// Cached is the list as last known, newest first, without a request.
func (v *Voicemail) Cached() []VoicemailMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]VoicemailMessage, 0, len(v.msgs))
	for _, m := range v.msgs {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b VoicemailMessage) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func (v *Voicemail) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, v.timeout)
}

// refresh replaces the cache with the server's listing and reports the
// new count.
func (v *Voicemail) refresh(ctx context.Context) error {
	ctx, cancel := v.ctx(ctx)
	defer cancel()
	box, err := v.d.client.Voicemail(ctx)
	if errors.Is(err, wazo.ErrNoVoicemail) {
		v.mu.Lock()
		v.ready, v.none = true, true
		v.msgs = map[string]VoicemailMessage{}
		v.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrNoVoicemail, err)
	}
	if err != nil {
		return fmt.Errorf("could not list your voicemail: %w", err)
	}
	msgs := make(map[string]VoicemailMessage, len(box.Messages))
	for _, m := range box.Messages {
		msgs[m.ID] = fromWazoMessage(m)
	}
	v.mu.Lock()
	v.ready, v.none = true, false
	v.msgs = msgs
	n := v.unreadLocked()
	v.mu.Unlock()
	v.hub.Publish(VoicemailEvent{Change: VoicemailUpdated, Unread: n})
	return nil
}

func fromWazoMessage(m wazo.VoicemailMessage) VoicemailMessage {
	return VoicemailMessage{
		ID: m.ID, CallerName: m.CallerIDName, CallerNumber: m.CallerIDNum,
		Time: m.Time, Duration: m.Duration, Unread: m.Unread(), Folder: m.Folder.Name,
	}
}

// apply folds one server event into the cache.
func (v *Voicemail) apply(name string, data []byte) {
	ev := wazo.Event{Name: name, Data: data}
	if !ev.IsVoicemailEvent() {
		return
	}
	we, err := ev.Voicemail()
	if err != nil {
		v.d.log.Warn("desk: unreadable voicemail event", "name", name, "err", err)
		return
	}
	m := fromWazoMessage(we.Message)
	m.ID = we.MessageID
	change := VoicemailUpdated
	v.mu.Lock()
	switch name {
	case "user_voicemail_message_created":
		change = VoicemailCreated
		v.msgs[m.ID] = m
	case "user_voicemail_message_updated":
		v.msgs[m.ID] = m
	case "user_voicemail_message_deleted":
		change = VoicemailDeleted
		delete(v.msgs, m.ID)
	}
	v.ready, v.none = true, false
	n := v.unreadLocked()
	v.mu.Unlock()
	v.hub.Publish(VoicemailEvent{Change: change, Message: m, Unread: n})
}

// Audio downloads a message's recording: a WAV file (on Wazo, 8 kHz
// 16-bit mono).
func (v *Voicemail) Audio(ctx context.Context, id string) ([]byte, error) {
	ctx, cancel := v.ctx(ctx)
	defer cancel()
	b, err := v.d.client.VoicemailRecording(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("could not fetch the voicemail message: %w", err)
	}
	return b, nil
}

// MarkRead moves a message out of the inbox into "old", as listening to
// it on a desk phone does. The count drops when the server confirms (its
// event); a message already read is left alone.
func (v *Voicemail) MarkRead(ctx context.Context, id string) error {
	v.mu.Lock()
	m, known := v.msgs[id]
	v.mu.Unlock()
	if known && !m.Unread {
		return nil
	}
	ctx, cancel := v.ctx(ctx)
	defer cancel()
	if err := v.d.client.MarkVoicemailRead(ctx, id); err != nil {
		return fmt.Errorf("could not mark the voicemail message read: %w", err)
	}
	return nil
}

// Delete deletes a message on the server.
func (v *Voicemail) Delete(ctx context.Context, id string) error {
	ctx, cancel := v.ctx(ctx)
	defer cancel()
	if err := v.d.client.DeleteVoicemailMessage(ctx, id); err != nil {
		return fmt.Errorf("could not delete the voicemail message: %w", err)
	}
	return nil
}
