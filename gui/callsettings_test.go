package gui

import (
	"slices"
	"sync"
	"testing"
	"time"
)

type memoryCallSettings struct {
	mu    sync.Mutex
	s     CallSettings
	saved []CallSettings
}

func (m *memoryCallSettings) Load() (CallSettings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s, nil
}

func (m *memoryCallSettings) Save(s CallSettings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, s)
	m.s = s
	return nil
}

func (m *memoryCallSettings) lastSaved() (CallSettings, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.saved) == 0 {
		return CallSettings{}, false
	}
	return m.saved[len(m.saved)-1], true
}

func TestCallSettingsReorderAndSave(t *testing.T) {
	store := &memoryCallSettings{s: CallSettings{Codecs: []string{"opus", "pcmu", "pcma"}, AvailableCodecs: []string{"opus", "g722", "pcmu", "pcma"}, AutoAnswer: "off", DTMF: "auto"}}
	f := newFixture(t, WithCallSettings(store))
	f.ui.do(f.m.showCallSettings)
	f.waitUntil("the form", func() bool { return f.m.callSettingsForm != nil })
	form := f.m.callSettingsForm
	f.ui.do(func() {
		if !slices.Equal(form.order, []string{"opus", "pcmu", "pcma", "g722"}) {
			t.Fatalf("codec order %v", form.order)
		}
		form.move(3, -1) // g722 above pcma
		form.move(2, -1) // and above pcmu
		form.enabled["g722"] = true
		form.enabled["pcma"] = false
		form.answer.SetSelected(answerChoices[2])
		form.delay.SetText("3")
		got, problem := form.result()
		if problem != "" {
			t.Fatal(problem)
		}
		if err := store.Save(got); err != nil {
			t.Fatal(err)
		}
	})
	saved, ok := store.lastSaved()
	if !ok || !slices.Equal(saved.Codecs, []string{"opus", "g722", "pcmu"}) || saved.AutoAnswer != "always" || saved.AutoAnswerDelay != 3*time.Second {
		t.Fatalf("saved %s", callSettingsSummary(saved))
	}
	f.ui.do(func() {
		for c := range form.enabled {
			form.enabled[c] = false
		}
		if _, problem := form.result(); problem == "" {
			t.Error("no codec at all was accepted")
		}
		form.enabled["opus"] = true
		form.delay.SetText("soon")
		if _, problem := form.result(); problem == "" {
			t.Error("a delay that is not a number was accepted")
		}
	})
}

func TestCallSettingsLockedAutoAnswer(t *testing.T) {
	f := newFixture(t)
	f.ui.do(func() {
		form := newCallSettingsForm(CallSettings{Codecs: []string{"opus"}, AvailableCodecs: []string{"opus"}, AutoAnswer: "always", AutoAnswerLocked: true, DTMF: "auto"})
		if !form.answer.Disabled() || !form.delay.Disabled() {
			t.Error("a locked auto-answer can be changed in the form")
		}
		_ = f
	})
}
