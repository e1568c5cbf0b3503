package testrig

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Xvfb is a private virtual X display.
type Xvfb struct {
	Display string // ":N"
	proc    *proc
}

// StartXvfb starts Xvfb (1280x800x24, no TCP) on a display number it picks
// itself (-displayfd, so parallel test processes cannot collide), waits until
// it accepts clients, and sets DISPLAY for the test with t.Setenv (which
// rules out t.Parallel in that test). Mesa renders GL in software under it.
func StartXvfb(t testing.TB) *Xvfb {
	t.Helper()
	bin := mustBin(t, "Xvfb")
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := startProcWith(t, "xvfb", dir, bin,
		[]string{"-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"},
		nil, func(c *exec.Cmd) { c.ExtraFiles = []*os.File{w} })
	w.Close() // the child has its copy; EOF on r then means Xvfb is gone
	if err != nil {
		t.Fatal(err)
	}
	// Xvfb writes the display number once it is ready for connections.
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	var num string
	select {
	case num = <-got:
	case <-time.After(15 * time.Second):
		p.stop(2 * time.Second)
		<-got // the reader ends: Xvfb's exit closed the pipe
	}
	if num == "" {
		p.stop(2 * time.Second)
		t.Fatalf("Xvfb did not report a display within 15 s:\n%s", p.log())
	}
	x := &Xvfb{Display: ":" + num, proc: p}
	t.Setenv("DISPLAY", x.Display)
	return x
}

// Screenshot saves the whole screen as PNG (ImageMagick's import).
func (x *Xvfb) Screenshot(path string) error {
	bin, err := lookBin("import")
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.Display)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("screenshot with import: %v: %s", err, out)
	}
	return nil
}
