package wazostandin

import (
	"bytes"
	"time"

	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// Voicemail types of the call model (wazo-calld's voicemails plugin).
type (
	NewVoicemail         = callmodel.NewVoicemail
	VoicemailMessageInfo = callmodel.VoicemailMessageInfo
)

// VoicemailRate is the sample rate of the voicemail recordings the stand-in
// makes: Asterisk's "wav" format is 8 kHz 16-bit mono.
const VoicemailRate = 8000

// AddVoicemail gives the user a personal mailbox numbered number; it
// returns the mailbox id (the same one when called again).
func (s *Stack) AddVoicemail(userUUID, number, name string) int {
	return s.calls.AddVoicemail(userUUID, number, name)
}

// LeaveVoicemail leaves a message in the user's mailbox, as a caller
// reaching it would, and publishes user_voicemail_message_created. Without
// Audio the message is a tone at 440 Hz lasting Duration (1 s if zero).
func (s *Stack) LeaveVoicemail(userUUID string, m NewVoicemail) (VoicemailMessageInfo, error) {
	if m.Audio == nil {
		if m.Duration <= 0 {
			m.Duration = time.Second
		}
		m.Audio = ToneWAV(m.Duration, 440)
	}
	return s.calls.LeaveVoicemail(userUUID, m)
}

// ToneWAV is a WAV recording (VoicemailRate) of d of the tones freqs, one
// after the other in equal parts, at -12 dBFS with 20 ms of silence
// between them: audio a test can recognise by frequency.
func ToneWAV(d time.Duration, freqs ...float64) []byte {
	n := int(d.Seconds() * VoicemailRate)
	pcm := make([]int16, 0, n)
	if len(freqs) == 0 {
		pcm = pcm[:n]
	} else {
		gap := VoicemailRate / 50
		part := n / len(freqs)
		for _, f := range freqs {
			tone := dsp.Tones(VoicemailRate, max(part-gap, 0), 0.25, f)
			pcm = append(pcm, tone...)
			pcm = append(pcm, make([]int16, min(gap, part))...)
		}
	}
	var b bytes.Buffer
	_ = dsp.WriteWAV(&b, VoicemailRate, pcm) // a bytes.Buffer does not fail
	return b.Bytes()
}

// Folder ids of a mailbox (wazo-calld plugins/voicemails/storage.py).
const (
	VoicemailFolderInbox = callmodel.FolderInbox
	VoicemailFolderOld   = callmodel.FolderOld
)
