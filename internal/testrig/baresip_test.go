package testrig

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// callAndCheck dials from a to b, answers if b is not auto-answering,
// checks both sides reach CALL_ESTABLISHED, hangs up and waits for
// CALL_CLOSED on both.
func callAndCheck(t *testing.T, a, b *Baresip, target string, hold time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := a.Command(ctx, "dial", target); err != nil {
		t.Fatal(err)
	}
	if !b.opts.AutoAnswer { // baresip sends CALL_INCOMING only when it does not auto-answer
		in, err := b.WaitEvent(ctx, "CALL_INCOMING")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(in.PeerURI, a.opts.User) {
			t.Errorf("CALL_INCOMING peer %q, want %s", in.PeerURI, a.opts.User)
		}
		if _, err := b.Command(ctx, "accept", ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, ua := range []*Baresip{a, b} {
		if _, err := ua.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.WaitEvent(ctx, "CALL_RTPESTAB"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(hold)
	if _, err := a.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	for _, ua := range []*Baresip{a, b} {
		if _, err := ua.WaitEvent(ctx, "CALL_CLOSED"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBaresipDirectCall(t *testing.T) {
	t.Parallel()
	rec := filepath.Join(t.TempDir(), "bob-heard.wav")
	alice := StartBaresip(t, BaresipOptions{User: "alice"})
	bob := StartBaresip(t, BaresipOptions{User: "bob", AutoAnswer: true, RecordWAV: rec})
	callAndCheck(t, alice, bob, bob.URI(), time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	path, err := bob.SaveRecording(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A second of 8 kHz (or more) 16-bit audio is well above 8 kB.
	if fi.Size() < 8000 {
		t.Fatalf("recording %s has only %d bytes", path, fi.Size())
	}
	w, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	// alice's default source is ausine's 440 Hz tone.
	if rms, p := w.RMS(), w.Power(440); rms < 0.05 || p < 0.5 {
		t.Fatalf("bob heard RMS %.3f, 440 Hz share %.2f; want the tone", rms, p)
	}
}

func TestBaresipSourceWAV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	if err := WriteWAV(src, Tone(8000, 1000, 0.5, 3)); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "heard.wav")
	alice := StartBaresip(t, BaresipOptions{User: "alice", SourceWAV: src})
	bob := StartBaresip(t, BaresipOptions{User: "bob", AutoAnswer: true, RecordWAV: rec, NullSource: true})
	callAndCheck(t, alice, bob, bob.URI(), time.Second)
	if _, err := bob.SaveRecording(t.Context()); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWAV(rec)
	if err != nil {
		t.Fatal(err)
	}
	if rms, p := w.RMS(), w.Power(1000); rms < 0.05 || p < 0.5 {
		t.Fatalf("bob heard RMS %.3f, 1 kHz share %.2f; want alice's WAV", rms, p)
	}
}

func TestBaresipViaKamailio(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t)
	alice := StartBaresip(t, BaresipOptions{User: "alice", Registrar: k.UDPAddr})
	bob := StartBaresip(t, BaresipOptions{User: "bob", Registrar: k.UDPAddr, AutoAnswer: true})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := bob.WaitEvent(ctx, "REGISTER_OK"); err != nil {
		t.Fatal(err)
	}
	// baresip registers a contact with a generated user part
	// (sip:bob-0x55...@127.0.0.1:port), so compare the host:port only.
	hostport := strings.TrimPrefix(bob.URI(), "sip:bob@")
	if got := k.Contacts(t, "bob"); len(got) != 1 || !strings.Contains(got[0], "@"+hostport) {
		t.Fatalf("Contacts(bob) = %v, want one at %s", got, hostport)
	}
	callAndCheck(t, alice, bob, "sip:bob@"+k.UDPAddr, 200*time.Millisecond)
	// And back, answered by hand.
	callAndCheck(t, bob, alice, "sip:alice@"+k.UDPAddr, 200*time.Millisecond)
}

func TestBaresipWebRTCProfile(t *testing.T) {
	t.Parallel()
	alice := StartBaresip(t, BaresipOptions{User: "alice", WebRTC: true})
	bob := StartBaresip(t, BaresipOptions{User: "bob", WebRTC: true})
	callAndCheck(t, alice, bob, bob.URI(), 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	// CALL_MENC ("0,audio,RTP") is sent once the media is encrypted.
	if _, err := alice.WaitEvent(ctx, "CALL_MENC"); err != nil {
		t.Error(err)
	}
	for _, ua := range []*Baresip{alice, bob} {
		if log := ua.Log(); !strings.Contains(log, "DTLS-SRTP complete") || !strings.Contains(log, "<--- opus") {
			t.Errorf("%s: no DTLS-SRTP handshake or no Opus receive pipeline in the log", ua.opts.User)
		}
	}
}
