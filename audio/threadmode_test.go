package audio

import (
	"testing"
	"time"
)

// TestNullDeviceThreadModes: the clock goroutine runs its callbacks in
// every thread mode, and Stop still ends it (a locked goroutine takes its
// thread with it when it returns).
func TestNullDeviceThreadModes(t *testing.T) {
	for _, m := range []ThreadMode{ThreadShared, ThreadLocked, ThreadRealtime} {
		t.Run(m.String(), func(t *testing.T) {
			d, err := NewNullDevice(DeviceConfig{}, WithNullThread(m))
			if err != nil {
				t.Fatal(err)
			}
			calls := make(chan struct{}, 100)
			if err := d.Start(func(out, in []int16) {
				select {
				case calls <- struct{}{}:
				default:
				}
			}); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				select {
				case <-calls:
				case <-time.After(10 * time.Second):
					t.Fatalf("callback %d never came", i)
				}
			}
			if err := d.Stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
