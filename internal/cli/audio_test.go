package cli

import (
	"errors"
	"log/slog"
	"testing"
)

func TestOpenSoundModes(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	s, err := openSound(audioOff, logger)
	if err != nil || s != nil {
		t.Fatalf("off: got %v, %v; want no audio and no error", s, err)
	}
	if _, err := openSound("loud", logger); !errors.Is(err, ErrUsage) {
		t.Fatalf("unknown mode: %v, want a usage error", err)
	}
	// null works on any machine, sound card or not.
	s, err = openSound(audioNull, logger)
	if err != nil || s == nil || s.engine == nil {
		t.Fatalf("null: %v, %v", s, err)
	}
	s.close()
}
