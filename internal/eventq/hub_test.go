package eventq

import (
	"testing"
	"time"
)

func TestHubDeliversInOrderWithoutBlockingPublisher(t *testing.T) {
	h := New[int]()
	ch, cancel := h.Subscribe()
	defer cancel()
	const n = 10000
	// Nobody reads while we publish: Publish must not block.
	for i := 0; i < n; i++ {
		h.Publish(i)
	}
	for i := 0; i < n; i++ {
		select {
		case v := <-ch:
			if v != i {
				t.Fatalf("got %d at position %d", v, i)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("value %d never arrived", i)
		}
	}
}

func TestHubSlowSubscriberDoesNotDelayOthers(t *testing.T) {
	h := New[string]()
	_, cancelSlow := h.Subscribe() // never read
	defer cancelSlow()
	fast, cancelFast := h.Subscribe()
	defer cancelFast()
	h.Publish("a")
	h.Publish("b")
	if got := <-fast; got != "a" {
		t.Fatalf("got %q", got)
	}
	if got := <-fast; got != "b" {
		t.Fatalf("got %q", got)
	}
}

func TestHubCloseDrainsThenCloses(t *testing.T) {
	h := New[int]()
	ch, _ := h.Subscribe()
	h.Publish(1)
	h.Publish(2)
	h.Close()
	h.Publish(3) // ignored
	var got []int
	for v := range ch {
		got = append(got, v)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("got %v, want [1 2]", got)
	}
	ch2, cancel := h.Subscribe()
	cancel()
	if _, ok := <-ch2; ok {
		t.Fatal("subscription after Close must be closed")
	}
}

func TestHubCancelClosesChannel(t *testing.T) {
	h := New[int]()
	ch, cancel := h.Subscribe()
	h.Publish(1)
	cancel()
	cancel()
	for range ch {
	}
}

func TestHubBacklog(t *testing.T) {
	h := New[int]()
	slow, cancelSlow := h.Subscribe()
	fast, cancelFast := h.Subscribe()
	for i := 0; i < 5; i++ {
		h.Publish(i)
	}
	// Nobody has read: each queue holds 5, less the one its goroutine may
	// already be offering on the channel.
	if d, sum := h.Backlog(); d < 4 || d > 5 || sum < 8 || sum > 10 {
		t.Fatalf("Backlog() = %d, %d before any read", d, sum)
	}
	for i := 0; i < 5; i++ {
		<-fast
	}
	if d, sum := h.Backlog(); d < 4 || sum != d {
		t.Fatalf("Backlog() = %d, %d after the fast reader drained", d, sum)
	}
	<-slow
	cancelSlow()
	cancelFast()
	if d, sum := h.Backlog(); d != 0 || sum != 0 {
		t.Fatalf("Backlog() = %d, %d with no subscription", d, sum)
	}
}
