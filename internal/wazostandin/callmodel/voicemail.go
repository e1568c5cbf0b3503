package callmodel

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Voicemail is wazo-calld's voicemails plugin on the stand-in: one
// personal mailbox per user, the six folders of Asterisk's spool
// (wazo-calld plugins/voicemails/storage.py new_filesystem_storage), the
// users/me routes of plugins/voicemails/http.py and the
// user_voicemail_message_* events of plugins/voicemails/bus_consume.py
// (wazo-bus resources/voicemail/event.py). On the platform the events come
// from Asterisk's MessageWaiting, diffed against calld's cache; here the
// model publishes them when it changes a mailbox itself.

// VoicemailFolder is a folder of a mailbox: {id, name, type}.
type VoicemailFolder struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Folder types (storage.py VoicemailFolderType) and the folder ids the SDK
// hard-codes (SDK src/domain/Voicemail.ts VoicemailFolderMapping).
const (
	FolderTypeNew    = "new"
	FolderTypeOld    = "old"
	FolderTypeUrgent = "urgent"
	FolderTypeOther  = "other"

	FolderInbox = 1
	FolderOld   = 2
)

// voicemailFolders are Asterisk's folders; name is the spool directory in
// lower case (storage.py _VoicemailFolder).
var voicemailFolders = []VoicemailFolder{
	{1, "inbox", FolderTypeNew},
	{2, "old", FolderTypeOld},
	{3, "urgent", FolderTypeUrgent},
	{4, "work", FolderTypeOther},
	{5, "family", FolderTypeOther},
	{6, "friends", FolderTypeOther},
}

func folderByID(id int) (VoicemailFolder, bool) {
	for _, f := range voicemailFolders {
		if f.ID == id {
			return f, true
		}
	}
	return VoicemailFolder{}, false
}

// VoicemailMessage is a message as calld lists it (schemas.py
// VoicemailTranscriptedMessageSchema): caller ids are null when Asterisk
// wrote "Unknown"; duration is whole seconds, timestamp Unix seconds.
type VoicemailMessage struct {
	ID           string  `json:"id"`
	CallerIDName *string `json:"caller_id_name"`
	CallerIDNum  *string `json:"caller_id_num"`
	Duration     int     `json:"duration"`
	Timestamp    int64   `json:"timestamp"`
	Empty        bool    `json:"empty"`
	// Transcription is {"text"} once wazo-call-logd transcribed the
	// message; the stand-in never does, so it is always null.
	Transcription *VoicemailTranscription `json:"transcription"`
}

// VoicemailTranscription is schemas.py VoicemailTranscriptionSchema.
type VoicemailTranscription struct {
	Text string `json:"text"`
}

// VoicemailBoxRef is the {id, name, accesstype} of a mailbox inside a
// message (schemas.py UnifiedVoicemailMessageSchema).
type VoicemailBoxRef struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	AccessType string `json:"accesstype"`
}

// VoicemailMessageInfo is one message with its folder and mailbox: the
// body of GET /users/me/voicemails/messages/{id} and the "message" of the
// user_voicemail_message_* events.
type VoicemailMessageInfo struct {
	VoicemailMessage
	Folder    VoicemailFolder  `json:"folder"`
	Voicemail *VoicemailBoxRef `json:"voicemail,omitempty"`
}

// VoicemailFolderContents is a folder with its messages, newest first.
type VoicemailFolderContents struct {
	VoicemailFolder
	Messages []VoicemailMessage `json:"messages"`
}

// VoicemailBox is GET /users/me/voicemails (schemas.py VoicemailSchema).
type VoicemailBox struct {
	ID         int                       `json:"id"`
	Name       string                    `json:"name"`
	Number     string                    `json:"number"`
	AccessType string                    `json:"accesstype"`
	Folders    []VoicemailFolderContents `json:"folders"`
}

// NewVoicemail is a message left in a mailbox (LeaveVoicemail). Audio is
// the recording as Asterisk stores it: a WAV file (8 kHz, 16-bit mono).
type NewVoicemail struct {
	CallerIDName string // "" for unknown
	CallerIDNum  string // "" for unknown
	Duration     time.Duration
	Audio        []byte
	Urgent       bool      // left in the Urgent folder
	Time         time.Time // zero: the model's clock
}

type vmMessage struct {
	msg    VoicemailMessage
	folder int
	audio  []byte
}

type mailbox struct {
	id     int
	number string
	name   string
	tenant string
	msgs   []*vmMessage
}

// voicemails is the model's mailbox state, under Model.mu.
type voicemails struct {
	boxes  map[string]*mailbox // by user uuid
	nextID int
	seq    int
}

// messageIDPattern is what calld accepts as a message id (http.py
// _validate_message_id).
var messageIDPattern = regexp.MustCompile(`^[-a-zA-Z0-9]+$`)

func errNoSuchUserVoicemail(userUUID string) *CalldError {
	return &CalldError{statusNotFound, "no-such-user-voicemail", "No such user voicemail", map[string]any{"user_uuid": userUUID}}
}

func errNoSuchVoicemailMessage(id string) *CalldError {
	return &CalldError{statusNotFound, "no-such-voicemail-message", "No such voicemail message", map[string]any{"message_id": id}}
}

func errInvalidVoicemailMessageID(id string) *CalldError {
	return &CalldError{statusBadRequest, "invalid-voicemail-message-id", "Invalid voicemail message ID", map[string]any{"message_id": id}}
}

func errNoSuchVoicemailFolder(folderID int) *CalldError {
	return &CalldError{statusNotFound, "no-such-voicemail-folder", "No such voicemail folder", map[string]any{"folder_id": folderID}}
}

// InvalidVoicemailFolderIDError is calld's 400 invalid-voicemail-folder-id
// (a folder id in the path that is not a natural number).
func InvalidVoicemailFolderIDError(raw string) *CalldError {
	return &CalldError{statusBadRequest, "invalid-voicemail-folder-id", "Invalid voicemail folder ID", map[string]any{"folder_id": raw}}
}

// AddVoicemail gives a user a personal mailbox (confd's user voicemail);
// without one, every voicemail route of that user is 404
// no-such-user-voicemail. It returns the mailbox id; a second call keeps
// the existing mailbox.
func (m *Model) AddVoicemail(userUUID, number, name string) int {
	m.mu.Lock()
	defer m.unlock()
	if b, ok := m.vm.boxes[userUUID]; ok {
		return b.id
	}
	tenant := m.cfg.DefaultTenant
	if t, ok := m.cfg.TenantOf(userUUID); ok {
		tenant = t
	}
	m.vm.nextID++
	m.vm.boxes[userUUID] = &mailbox{id: m.vm.nextID, number: number, name: name, tenant: tenant}
	return m.vm.nextID
}

// LeaveVoicemail stores a new message in the user's mailbox (the INBOX, or
// Urgent) and publishes user_voicemail_message_created. It is what a
// caller reaching the mailbox does on the platform; the demo and tests use
// it.
func (m *Model) LeaveVoicemail(userUUID string, nv NewVoicemail) (VoicemailMessageInfo, error) {
	m.mu.Lock()
	defer m.unlock()
	b, ok := m.vm.boxes[userUUID]
	if !ok {
		return VoicemailMessageInfo{}, errNoSuchUserVoicemail(userUUID)
	}
	at := nv.Time
	if at.IsZero() {
		at = m.cfg.Now()
	}
	m.vm.seq++
	secs := int(nv.Duration.Round(time.Second) / time.Second)
	vm := &vmMessage{
		// Asterisk's msg_id is "<origtime>-<counter>" (storage.py reads it
		// from the message's .txt file).
		msg: VoicemailMessage{
			ID:           fmt.Sprintf("%d-%08d", at.Unix(), m.vm.seq),
			CallerIDName: optString(nv.CallerIDName),
			CallerIDNum:  optString(nv.CallerIDNum),
			Duration:     secs,
			Timestamp:    at.Unix(),
			Empty:        secs == 0,
		},
		folder: FolderInbox,
		audio:  slices.Clone(nv.Audio),
	}
	if nv.Urgent {
		vm.folder = 3
	}
	b.msgs = append(b.msgs, vm)
	info := b.info(vm)
	m.publishVoicemail("user_voicemail_message_created", userUUID, b, info)
	return info, nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (b *mailbox) ref() *VoicemailBoxRef {
	return &VoicemailBoxRef{ID: b.id, Name: b.name, AccessType: "personal"}
}

func (b *mailbox) info(vm *vmMessage) VoicemailMessageInfo {
	f, _ := folderByID(vm.folder)
	return VoicemailMessageInfo{VoicemailMessage: vm.msg, Folder: f, Voicemail: b.ref()}
}

// publishVoicemail sends a user_voicemail_message_* event: {user_uuid,
// voicemail_id, message_id, message}, ACL events.users.{uuid}.voicemails
// (wazo-bus resources/voicemail/event.py).
func (m *Model) publishVoicemail(name, userUUID string, b *mailbox, info VoicemailMessageInfo) {
	m.cfg.Publish(name, userUUID, b.tenant, "events.users."+userUUID+".voicemails", map[string]any{
		"user_uuid":    userUUID,
		"voicemail_id": b.id,
		"message_id":   info.ID,
		"message":      info,
	})
}

func (m *Model) boxLocked(userUUID string) (*mailbox, error) {
	b, ok := m.vm.boxes[userUUID]
	if !ok {
		return nil, errNoSuchUserVoicemail(userUUID)
	}
	return b, nil
}

func (m *Model) messageLocked(userUUID, id string) (*mailbox, *vmMessage, error) {
	if !messageIDPattern.MatchString(id) {
		return nil, nil, errInvalidVoicemailMessageID(id)
	}
	b, err := m.boxLocked(userUUID)
	if err != nil {
		return nil, nil, err
	}
	for _, vm := range b.msgs {
		if vm.msg.ID == id {
			return b, vm, nil
		}
	}
	return nil, nil, errNoSuchVoicemailMessage(id)
}

// folderContents lists one folder's messages, newest first (storage.py
// _sort_messages).
func (b *mailbox) folderContents(f VoicemailFolder) VoicemailFolderContents {
	fc := VoicemailFolderContents{VoicemailFolder: f, Messages: []VoicemailMessage{}}
	for _, vm := range b.msgs {
		if vm.folder == f.ID {
			fc.Messages = append(fc.Messages, vm.msg)
		}
	}
	slices.SortStableFunc(fc.Messages, func(x, y VoicemailMessage) int {
		switch {
		case x.Timestamp > y.Timestamp:
			return -1
		case x.Timestamp < y.Timestamp:
			return 1
		}
		return 0
	})
	return fc
}

// UserVoicemail is GET /users/me/voicemails: the mailbox and every folder
// with its messages.
func (m *Model) UserVoicemail(userUUID string) (VoicemailBox, error) {
	m.mu.Lock()
	defer m.unlock()
	b, err := m.boxLocked(userUUID)
	if err != nil {
		return VoicemailBox{}, err
	}
	out := VoicemailBox{ID: b.id, Name: b.name, Number: b.number, AccessType: "personal"}
	for _, f := range voicemailFolders {
		out.Folders = append(out.Folders, b.folderContents(f))
	}
	return out, nil
}

// UserVoicemailFolder is GET /users/me/voicemails/folders/{folder_id}.
func (m *Model) UserVoicemailFolder(userUUID string, folderID int) (VoicemailFolderContents, error) {
	m.mu.Lock()
	defer m.unlock()
	b, err := m.boxLocked(userUUID)
	if err != nil {
		return VoicemailFolderContents{}, err
	}
	f, ok := folderByID(folderID)
	if !ok {
		return VoicemailFolderContents{}, errNoSuchVoicemailFolder(folderID)
	}
	return b.folderContents(f), nil
}

// UserVoicemailMessage is GET /users/me/voicemails/messages/{id}: the
// message with its folder (schemas.py VoicemailMessageSchema has no
// mailbox).
func (m *Model) UserVoicemailMessage(userUUID, id string) (VoicemailMessageInfo, error) {
	m.mu.Lock()
	defer m.unlock()
	b, vm, err := m.messageLocked(userUUID, id)
	if err != nil {
		return VoicemailMessageInfo{}, err
	}
	info := b.info(vm)
	info.Voicemail = nil
	return info, nil
}

// UserVoicemailRecording is GET …/messages/{id}/recording: the WAV file.
func (m *Model) UserVoicemailRecording(userUUID, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.unlock()
	_, vm, err := m.messageLocked(userUUID, id)
	if err != nil {
		return nil, err
	}
	return slices.Clone(vm.audio), nil
}

// MoveUserVoicemailMessage is PUT …/messages/{id} {"folder_id"}: marking a
// message read is moving it from the INBOX (new) to Old. A move publishes
// user_voicemail_message_updated with the new folder; a move to the folder
// the message is in changes nothing on disk, so calld's cache sees no
// difference and sends nothing.
func (m *Model) MoveUserVoicemailMessage(userUUID, id string, folderID int) error {
	m.mu.Lock()
	defer m.unlock()
	f, ok := folderByID(folderID)
	if !ok {
		return errNoSuchVoicemailFolder(folderID)
	}
	b, vm, err := m.messageLocked(userUUID, id)
	if err != nil {
		return err
	}
	if vm.folder == f.ID {
		return nil
	}
	vm.folder = f.ID
	m.publishVoicemail("user_voicemail_message_updated", userUUID, b, b.info(vm))
	return nil
}

// DeleteUserVoicemailMessage is DELETE …/messages/{id}; it publishes
// user_voicemail_message_deleted with the message as it was.
func (m *Model) DeleteUserVoicemailMessage(userUUID, id string) error {
	m.mu.Lock()
	defer m.unlock()
	b, vm, err := m.messageLocked(userUUID, id)
	if err != nil {
		return err
	}
	info := b.info(vm)
	b.msgs = slices.DeleteFunc(b.msgs, func(x *vmMessage) bool { return x == vm })
	m.publishVoicemail("user_voicemail_message_deleted", userUUID, b, info)
	return nil
}
