package cli

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/dsp"
)

// The window's settings reach the engine unchanged (order, ids, names,
// ringtone, volume), and the meter and devices come back through the
// adapter.
func TestAudioControllerDrivesTheEngine(t *testing.T) {
	gen, err := dsp.NewToneGen(audio.SampleRate, 0.1, 500)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := audio.NewEngine(audio.NullHost{Options: []audio.NullOption{audio.WithSource(gen.Fill)}}, audio.DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	c := audioController{engine: engine}

	ins, outs, err := c.Devices()
	if err != nil || len(ins) != 1 || len(outs) != 1 || !outs[0].Default || outs[0].ID != "null" {
		t.Fatalf("devices %+v %+v %v", ins, outs, err)
	}
	if !slices.Equal(c.Ringtones(), audio.RingtoneNames()) {
		t.Fatalf("ringtones %q", c.Ringtones())
	}
	want := gui.AudioSettings{
		Inputs:     []gui.AudioDevice{{ID: "hs-in", Name: "Headset Microphone"}},
		Outputs:    []gui.AudioDevice{{ID: "hs", Name: "Headset"}, {Name: "Built-in"}},
		Rings:      []gui.AudioDevice{{Name: "Built-in"}},
		Ringtone:   audio.RingtoneChime,
		RingVolume: 0.25,
	}
	if err := c.Apply(want); err != nil {
		t.Fatal(err)
	}
	got := engine.Settings()
	if len(got.Outputs) != 2 || got.Outputs[0] != (audio.DeviceRef{ID: "hs", Name: "Headset"}) ||
		got.Outputs[1] != (audio.DeviceRef{Name: "Built-in"}) || got.Inputs[0].ID != "hs-in" ||
		got.Rings[0].Name != "Built-in" || got.Ringtone != audio.RingtoneChime || got.RingVolume != 0.25 {
		t.Fatalf("engine settings %+v from %+v", got, want)
	}
	if err := c.Apply(gui.AudioSettings{Ringtone: "/no/such.wav", RingVolume: 1}); err == nil {
		t.Fatal("a missing ringtone file was accepted")
	}

	ctx, cancel := context.WithCancel(context.Background())
	levels, err := c.MicLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lv := <-levels
	if want := 20 * math.Log10(0.1/math.Sqrt2); math.Abs(lv.RMSDBFS-want) > 0.5 {
		t.Fatalf("meter %+v, want %.1f dBFS RMS", lv, want)
	}
	cancel()
	for range levels {
	}
	if err := c.PlayTestTone(); err != nil {
		t.Fatal(err)
	}
	if err := c.TestRingtone(); err != nil {
		t.Fatal(err)
	}
}
