package audio

import "runtime"

// ThreadMode says how a goroutine on the audio path (each call's pipeline,
// the null device's clock) is scheduled. It is an experiment's switch
// (docs/benchmarks.md, "Audio under load"): the default is what ships.
type ThreadMode int

const (
	// ThreadShared: a goroutine like any other, on whichever OS thread the
	// Go scheduler picks (the default).
	ThreadShared ThreadMode = iota
	// ThreadLocked: runtime.LockOSThread, an OS thread of its own, so the
	// kernel schedules the loop directly rather than through Go's run
	// queues.
	ThreadLocked
	// ThreadRealtime: locked, and the thread asks for SCHED_FIFO as the
	// device callback thread does (promoteAudioThread; without permission
	// it stays at normal priority).
	ThreadRealtime
)

func (m ThreadMode) String() string {
	switch m {
	case ThreadLocked:
		return "locked"
	case ThreadRealtime:
		return "realtime"
	}
	return "shared"
}

// enter applies the mode to the calling goroutine. It is never undone: a
// locked goroutine that returns takes its OS thread with it (runtime
// LockOSThread), so a thread promoted to real time never goes back to the
// pool to run other goroutines.
func (m ThreadMode) enter() {
	if m == ThreadShared {
		return
	}
	runtime.LockOSThread()
	if m == ThreadRealtime {
		promoteThread()
	}
}

// WithPipelineThread sets how each call's pipeline goroutine runs (default
// ThreadShared).
func WithPipelineThread(m ThreadMode) EngineOption {
	return func(o *engineOptions) { o.pipelineThread = m }
}

// WithNullThread sets how the null device's clock goroutine runs (default
// ThreadShared). A real device's callback thread is miniaudio's, promoted
// to real time (malgo_device.go); ThreadRealtime makes the null device
// stand for that.
func WithNullThread(m ThreadMode) NullOption {
	return func(o *nullOptions) { o.thread = m }
}
