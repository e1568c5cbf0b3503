package testrig

import (
	"context"
	"testing"
	"time"
)

func TestSippUACToUAS(t *testing.T) {
	t.Parallel()
	uas := StartSipp(t, SippOptions{Scenario: "uas"})
	uac := StartSipp(t, SippOptions{Scenario: "uac", Remote: uas.Addr()})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := uac.Wait(ctx)
	if err != nil || res.ExitCode != 0 || res.Successful != 1 || res.Failed != 0 {
		t.Fatalf("uac: %v, %+v", err, res)
	}
	res, err = uas.Wait(ctx)
	if err != nil || res.Successful != 1 {
		t.Fatalf("uas: %v, %+v", err, res)
	}
}

func TestSippWaitTimeout(t *testing.T) {
	t.Parallel()
	uas := StartSipp(t, SippOptions{Scenario: "uas"}) // no caller: never finishes
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := uas.Wait(ctx); err == nil {
		t.Fatal("Wait returned no error for a sipp that never finished")
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("Wait took %v to stop sipp", d)
	}
}

func TestLastStat(t *testing.T) {
	screen := "  Successful call        |        0                  |        5                 \n" +
		"  Failed call            |        1                  |        2                 \n"
	if s, f := lastStat(screen, "Successful call"), lastStat(screen, "Failed call"); s != 5 || f != 2 {
		t.Fatalf("got %d, %d", s, f)
	}
}
