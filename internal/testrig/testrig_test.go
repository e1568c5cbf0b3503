package testrig

import (
	"fmt"
	"net"
	"runtime"
	"testing"
)

// fakeTB records what Require does without ending the real test.
type fakeTB struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any) {
	f.skipped, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func runRequire(bins ...string) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Require(f, bins...)
	}()
	<-done
	return f
}

func TestRequire(t *testing.T) {
	t.Setenv("CI", "")
	t.Setenv(RequirePeersEnv, "")
	if f := runRequire("sh"); f.failed || f.skipped {
		t.Fatalf("Require(sh) failed or skipped: %s", f.msg)
	}
	if f := runRequire("sh", "no-such-peer-xyz"); !f.skipped || f.failed {
		t.Fatalf("missing peer without CI: skipped=%v failed=%v, want a skip", f.skipped, f.failed)
	}
	t.Setenv(RequirePeersEnv, "1")
	if f := runRequire("no-such-peer-xyz"); !f.failed {
		t.Fatalf("missing peer with %s=1: skipped=%v, want a failure", RequirePeersEnv, f.skipped)
	}
	t.Setenv(RequirePeersEnv, "")
	t.Setenv("CI", "true")
	if f := runRequire("no-such-peer-xyz"); !f.failed {
		t.Fatal("missing peer with CI=true: want a failure")
	}
}

func TestFreePort(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"udp", "tcp"} {
		p := FreePort(t, network)
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		var err error
		if network == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp4", addr); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp4", addr); err == nil {
				l.Close()
			}
		}
		if err != nil {
			t.Errorf("FreePort(%s) = %d, but it cannot be bound: %v", network, p, err)
		}
	}
	if first := FreePortRange(t, 10); first <= 0 {
		t.Fatal("FreePortRange")
	}
}

// TestCleanupStopsEverything checks that a peer's whole process group
// (kamailio forks several workers) is gone once its test has ended.
func TestCleanupStopsEverything(t *testing.T) {
	t.Parallel()
	var procs []*proc
	t.Run("peers", func(t *testing.T) {
		k := StartKamailio(t)
		b := StartBaresip(t, BaresipOptions{User: "eve"})
		s := StartSipp(t, SippOptions{Scenario: "uas"})
		procs = append(procs, k.proc, b.proc, s.proc)
	})
	for _, p := range procs {
		if !p.exited() || !p.onlyZombiesLeft() {
			t.Errorf("%s (pgid %d) still has live processes after its test ended", p.name, p.cmd.Process.Pid)
		}
	}
}
