//go:build cgo && linux

package audio

/*
#include <pthread.h>
#include <sched.h>

// 0: not tried on this thread yet, 1: granted, 2: refused.
static __thread int parley_rt_state;

static int parley_audio_thread_realtime(int priority) {
	if (parley_rt_state == 0) {
		struct sched_param sp = { .sched_priority = priority };
		parley_rt_state = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0 ? 1 : 2;
	}
	return parley_rt_state;
}
*/
import "C"

// audioThreadPriority is the SCHED_FIFO priority asked for the thread
// miniaudio calls us on: PulseAudio's own default for its I/O threads. It is
// enough to be woken ahead of ordinary load (a busy browser, a build) and
// stays below the kernel's threads and JACK-style pro-audio servers.
const audioThreadPriority = 5

// promoteAudioThread asks once per OS thread for real-time scheduling of the
// calling thread and reports whether it has it. Sound servers run their own
// threads real-time; a client thread that stays at normal priority misses
// its 10 ms deadlines as soon as the machine is busy, and the listener
// hears the drop-outs. Without permission (no CAP_SYS_NICE, no RLIMIT_RTPRIO)
// the thread keeps its normal priority.
func promoteAudioThread() realtimeState {
	return realtimeState(C.parley_audio_thread_realtime(C.int(audioThreadPriority)))
}
