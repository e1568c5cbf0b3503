//go:build cgo

package audio

import (
	"errors"
	"testing"
	"time"
)

// TestDeviceReleaseThatHangs: ma_device_uninit can hang (a PulseAudio
// stream whose sink was removed). The release must belong to the host,
// Retarget and Stop must not hang with it, and the host's Close must wait
// for it (bounded) instead of freeing the context under it.
func TestDeviceReleaseThatHangs(t *testing.T) {
	h, err := NewMalgoHost(WithNullBackend(), WithPollInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	h.releaseWait = 300 * time.Millisecond
	hang := make(chan struct{})
	hung := make(chan struct{}, 4)
	h.wrapUninit = func(uninit func()) func() {
		return func() {
			hung <- struct{}{}
			<-hang
			uninit()
		}
	}
	d, err := h.Open(DeviceConfig{Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(func(out, in []int16) {}); err != nil {
		t.Fatal(err)
	}
	// Moving to other endpoints releases the old device: it hangs.
	md := d.(*malgoDevice)
	if err := md.Retarget("", ""); err != nil {
		t.Fatalf("Retarget: %v", err)
	}
	<-hung
	if n := h.pending.Load(); n != 1 {
		t.Fatalf("%d releases pending, want the hanging one", n)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- d.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Stop hangs with the device release")
	}
	if n := h.pending.Load(); n != 2 {
		t.Fatalf("%d releases pending after Stop, want 2 (both hang)", n)
	}
	if err := h.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Close with hanging releases = %v, want it to say so", err)
	}
	close(hang) // the backend recovers: both releases finish
	deadline := time.Now().Add(20 * time.Second)
	for h.pending.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d releases never finished", h.pending.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.releases.Wait()
}

// TestDeviceReleaseOnStop: without a hang, Stop releases the device before
// it returns and Close frees the context.
func TestDeviceReleaseOnStop(t *testing.T) {
	h, err := NewMalgoHost(WithNullBackend(), WithPollInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Open(DeviceConfig{Period: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(func(out, in []int16) {}); err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := h.pending.Load(); n != 0 {
		t.Fatalf("%d releases pending after Stop", n)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
