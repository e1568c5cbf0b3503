package wazo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The user's voicemail, as wazo-calld serves it (plugins/voicemails/http.py,
// schemas.py; docs/wazo-protocol.md, Voicemail).

// Folder ids of a mailbox (wazo-calld plugins/voicemails/storage.py; the
// SDK hard-codes them too, src/domain/Voicemail.ts). Marking a message
// read is moving it from the inbox to "old", as Asterisk's own voicemail
// menu does.
const (
	VoicemailInbox  = 1
	VoicemailOld    = 2
	VoicemailUrgent = 3
)

// Folder types: "new" messages are the unread ones (the SDK's unread flag).
const (
	FolderTypeNew    = "new"
	FolderTypeOld    = "old"
	FolderTypeUrgent = "urgent"
	FolderTypeOther  = "other"
)

// VoicemailFolder is {id, name, type}.
type VoicemailFolder struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// VoicemailMessage is one message. Caller ids are empty when unknown
// (calld sends null); Folder is set when the message is fetched alone, in
// events and in Voicemail listings.
type VoicemailMessage struct {
	ID           string
	CallerIDName string
	CallerIDNum  string
	Duration     time.Duration
	Time         time.Time
	Folder       VoicemailFolder
	MailboxID    int
}

// Unread reports whether the message is in a "new" folder (SDK
// Voicemail.parse: unread ⇔ folder.type == "new"). The urgent folder is
// unread for Asterisk's message-waiting count too (storage.py is_unread).
func (m VoicemailMessage) Unread() bool {
	return m.Folder.Type == FolderTypeNew || m.Folder.Type == FolderTypeUrgent
}

type wireVoicemailMessage struct {
	ID           string           `json:"id"`
	CallerIDName *string          `json:"caller_id_name"`
	CallerIDNum  *string          `json:"caller_id_num"`
	Duration     int              `json:"duration"`
	Timestamp    int64            `json:"timestamp"`
	Folder       *VoicemailFolder `json:"folder"`
	Voicemail    *struct {
		ID int `json:"id"`
	} `json:"voicemail"`
}

func (w wireVoicemailMessage) message() VoicemailMessage {
	m := VoicemailMessage{
		ID: w.ID, Duration: time.Duration(w.Duration) * time.Second,
		Time: time.Unix(w.Timestamp, 0),
	}
	if w.CallerIDName != nil {
		m.CallerIDName = *w.CallerIDName
	}
	if w.CallerIDNum != nil {
		m.CallerIDNum = *w.CallerIDNum
	}
	if w.Folder != nil {
		m.Folder = *w.Folder
	}
	if w.Voicemail != nil {
		m.MailboxID = w.Voicemail.ID
	}
	return m
}

// Voicemail is the user's mailbox: GET /users/me/voicemails.
type Voicemail struct {
	ID      int
	Name    string
	Number  string
	Folders []VoicemailFolder
	// Messages of every folder, each with its Folder, newest first within
	// a folder (calld sorts by timestamp).
	Messages []VoicemailMessage
}

// Voicemail fetches the user's mailbox with every folder's messages. A user
// without a mailbox gets an error wrapping ErrNoVoicemail.
func (c *Client) Voicemail(ctx context.Context) (Voicemail, error) {
	var out struct {
		ID      int    `json:"id"`
		Name    string `json:"name"`
		Number  string `json:"number"`
		Folders []struct {
			VoicemailFolder
			Messages []wireVoicemailMessage `json:"messages"`
		} `json:"folders"`
	}
	if err := c.calld(ctx, http.MethodGet, "/voicemails", nil, nil, &out); err != nil {
		return Voicemail{}, err
	}
	v := Voicemail{ID: out.ID, Name: out.Name, Number: out.Number}
	for _, f := range out.Folders {
		v.Folders = append(v.Folders, f.VoicemailFolder)
		for _, w := range f.Messages {
			m := w.message()
			m.Folder, m.MailboxID = f.VoicemailFolder, out.ID
			v.Messages = append(v.Messages, m)
		}
	}
	return v, nil
}

func voicemailMessagePath(id string) string { return "/voicemails/messages/" + url.PathEscape(id) }

// VoicemailMessage fetches one message with its folder.
func (c *Client) VoicemailMessage(ctx context.Context, id string) (VoicemailMessage, error) {
	var w wireVoicemailMessage
	if err := c.calld(ctx, http.MethodGet, voicemailMessagePath(id), nil, nil, &w); err != nil {
		return VoicemailMessage{}, err
	}
	return w.message(), nil
}

// VoicemailRecording downloads a message's audio: the WAV file Asterisk
// recorded (calld answers audio/wav).
func (c *Client) VoicemailRecording(ctx context.Context, id string) ([]byte, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: calldPrefix + voicemailMessagePath(id) + "/recording", auth: true})
	if err != nil {
		return nil, err
	}
	if len(resp.body) == 0 {
		return nil, fmt.Errorf("%w: the voicemail recording is empty", ErrBadResponse)
	}
	return resp.body, nil
}

// MoveVoicemailMessage moves a message to another folder (PUT
// …/messages/{id} {"folder_id"}); MarkVoicemailRead is the move to "old".
func (c *Client) MoveVoicemailMessage(ctx context.Context, id string, folderID int) error {
	return c.calld(ctx, http.MethodPut, voicemailMessagePath(id), nil, map[string]int{"folder_id": folderID}, nil)
}

// MarkVoicemailRead moves a message to the "old" folder.
func (c *Client) MarkVoicemailRead(ctx context.Context, id string) error {
	return c.MoveVoicemailMessage(ctx, id, VoicemailOld)
}

// DeleteVoicemailMessage deletes a message.
func (c *Client) DeleteVoicemailMessage(ctx context.Context, id string) error {
	return c.calld(ctx, http.MethodDelete, voicemailMessagePath(id), nil, nil, nil)
}

// VoicemailEvent is user_voicemail_message_created/updated/deleted data
// {user_uuid, voicemail_id, message_id, message} (wazo-bus
// resources/voicemail/event.py); Message carries the folder it is in now
// (for deleted: was in).
type VoicemailEvent struct {
	UserUUID    string
	VoicemailID int
	MessageID   string
	Message     VoicemailMessage
}

// IsVoicemailEvent reports the user_voicemail_message_* events.
func (e Event) IsVoicemailEvent() bool {
	switch e.Name {
	case "user_voicemail_message_created", "user_voicemail_message_updated", "user_voicemail_message_deleted":
		return true
	}
	return false
}

// Voicemail decodes a user_voicemail_message_* event.
func (e Event) Voicemail() (VoicemailEvent, error) {
	var d struct {
		UserUUID    string               `json:"user_uuid"`
		VoicemailID int                  `json:"voicemail_id"`
		MessageID   string               `json:"message_id"`
		Message     wireVoicemailMessage `json:"message"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return VoicemailEvent{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	ev := VoicemailEvent{UserUUID: d.UserUUID, VoicemailID: d.VoicemailID, MessageID: d.MessageID, Message: d.Message.message()}
	if ev.MessageID == "" {
		ev.MessageID = ev.Message.ID
	}
	if ev.Message.MailboxID == 0 {
		ev.Message.MailboxID = d.VoicemailID
	}
	return ev, nil
}
