package audio

import "sync/atomic"

// sampleRing is a single-producer, single-consumer ring of samples. It is
// the hand-off between the audio thread and a pipeline goroutine: neither
// side ever blocks or allocates, which is what the device callback needs
// (miniaudio runs it on a real-time thread; see docs/audio.md).
// The indices only grow; the atomics order the plain buffer accesses.
type sampleRing struct {
	buf  []int16
	mask uint64
	r, w atomic.Uint64
}

// newSampleRing returns a ring holding at least n samples (rounded up to a
// power of two so that indexing is a mask).
func newSampleRing(n int) *sampleRing {
	size := 1
	for size < n {
		size <<= 1
	}
	return &sampleRing{buf: make([]int16, size), mask: uint64(size - 1)}
}

// Len is the number of samples ready to read.
func (r *sampleRing) Len() int { return int(r.w.Load() - r.r.Load()) }

// Free is the room left for the producer.
func (r *sampleRing) Free() int { return len(r.buf) - r.Len() }

// Write appends as much of p as fits and returns how many samples it took
// (producer side only). A full ring drops the excess rather than wait.
func (r *sampleRing) Write(p []int16) int {
	w := r.w.Load()
	n := min(len(p), len(r.buf)-int(w-r.r.Load()))
	for i := range n {
		r.buf[(w+uint64(i))&r.mask] = p[i]
	}
	r.w.Store(w + uint64(n))
	return n
}

// WriteZeros appends n samples of silence (producer side only).
func (r *sampleRing) WriteZeros(n int) int {
	w := r.w.Load()
	n = min(n, len(r.buf)-int(w-r.r.Load()))
	for i := range n {
		r.buf[(w+uint64(i))&r.mask] = 0
	}
	r.w.Store(w + uint64(n))
	return n
}

// Read fills p with up to len(p) samples and returns how many it read
// (consumer side only).
func (r *sampleRing) Read(p []int16) int {
	rd := r.r.Load()
	n := min(len(p), int(r.w.Load()-rd))
	for i := range n {
		p[i] = r.buf[(rd+uint64(i))&r.mask]
	}
	r.r.Store(rd + uint64(n))
	return n
}

// Discard drops up to n samples (consumer side only).
func (r *sampleRing) Discard(n int) int {
	rd := r.r.Load()
	n = min(n, int(r.w.Load()-rd))
	r.r.Store(rd + uint64(n))
	return n
}
