package gui

import (
	"context"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// inLanguage switches the window's texts to language for one test and
// back to English after it.
func inLanguage(t *testing.T, language string) {
	t.Helper()
	if err := useLanguage(language); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := useLanguage("en"); err != nil {
			t.Error(err)
		}
	})
}

func TestWindowInFrench(t *testing.T) {
	inLanguage(t, "fr")
	f := newFixture(t)
	f.ui.do(func() {
		if got, want := f.m.dialer.entry.PlaceHolder, "Numéro, poste ou adresse SIP"; got != want {
			t.Errorf("number box placeholder %q, want %q", got, want)
		}
		if got, want := f.m.dialer.button.Text, "Appeler"; got != want {
			t.Errorf("call button %q, want %q", got, want)
		}
	})
	out, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(out.ID()); err != nil {
		t.Fatal(err)
	}
	id := out.ID()
	f.waitUntil("the call's controls in French", func() bool {
		r := f.row(id)
		if r == nil || r.hangup.Text != "Raccrocher" || !usable(r.hold) {
			return false
		}
		texts := f.visibleTexts()
		for _, want := range []string{"Raccrocher", "Attente", "Muet", "Transférer", "Sortant · En communication"} {
			if !containsText(texts, want) {
				return false
			}
		}
		return f.m.Window().Title() == "Parley — 1 appel"
	})
	f.tap(func() *widget.Button { return f.row(id).hold })
	f.waitUntil("Reprendre once held", func() bool {
		r := f.row(id)
		return r != nil && usable(r.resume) && r.resume.Text == "Reprendre" && r.badges.Text == "En attente"
	})
	if err := f.e.RemoteHangup(id); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the end in French, with the engine's reason translated", func() bool {
		return f.m.notice.Visible() &&
			f.m.notice.Text == "L'appel avec 1002 est terminé\u00a0: votre correspondant a raccroché." &&
			containsText(f.visibleTexts(), "Appels récents")
	})

	missed := f.e.Ring("1003", "Alice")
	if err := f.e.RemoteHangup(missed.ID()); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("the missed call in French", func() bool {
		return f.m.notice.Text == "Appel manqué de Alice (1003)." && containsText(f.visibleTexts(), "Manqué · Alice (1003)") &&
			f.m.Window().Title() == "Parley — 1 manqué"
	})
}

func TestSignInScreenInFrench(t *testing.T) {
	inLanguage(t, "fr")
	f := newSignInFixture(t, &scriptedConnector{}, SignIn{})
	f.ui.do(func() {
		texts := textsIn(f.s.win.Content())
		for _, want := range []string{"Connectez-vous à votre ligne", "Se connecter", "Essayer la démo", "Mot de passe", "Compte SIP"} {
			if !containsText(texts, want) {
				t.Errorf("no %q among the sign-in texts %q", want, texts)
			}
		}
		if got := f.s.win.Title(); got != "Parley\u00a0: connexion" {
			t.Errorf("title %q", got)
		}
	})
}

// TestLanguageChoice checks how the language is picked: the system's
// (LANG, LC_ALL, LC_MESSAGES, LANGUAGE) unless one is chosen, and choosing
// leaves the environment as it was.
func TestLanguageChoice(t *testing.T) {
	tests := []struct {
		name, choice string
		env          map[string]string
		want         string
	}{
		{name: "French system", env: map[string]string{"LANG": "fr_FR.UTF-8"}, want: "Raccrocher"},
		{name: "French messages on an English system", env: map[string]string{"LANG": "en_GB.UTF-8", "LC_MESSAGES": "fr_BE.UTF-8"}, want: "Raccrocher"},
		{name: "English system", env: map[string]string{"LANG": "en_US.UTF-8"}, want: "Hang up"},
		{name: "C locale", env: map[string]string{"LC_ALL": "C"}, want: "Hang up"},
		{name: "a language with no translation", env: map[string]string{"LANG": "ko_KR.UTF-8"}, want: "Hang up"},
		{name: "French chosen on an English system", choice: "fr", env: map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}, want: "Raccrocher"},
		{name: "French chosen in C locale", choice: "fr", env: map[string]string{"LC_ALL": "C"}, want: "Raccrocher"},
		{name: "English chosen on a French system", choice: "en", env: map[string]string{"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"}, want: "Hang up"},
		{name: "a locale chosen", choice: "fr_CA.UTF-8", env: map[string]string{"LANG": "en_US.UTF-8"}, want: "Raccrocher"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range localeEnv {
				t.Setenv(name, "")
				os.Unsetenv(name)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			inLanguage(t, tt.choice)
			if got := lang.L("Hang up"); got != tt.want {
				t.Errorf("Hang up reads %q, want %q", got, tt.want)
			}
			for _, name := range localeEnv {
				got, set := os.LookupEnv(name)
				if want, wantSet := tt.env[name]; got != want || set != wantSet {
					t.Errorf("%s is %q (set %v) after choosing, was %q (set %v)", name, got, set, want, wantSet)
				}
			}
		})
	}
}

// TestFrenchControlsFitAtMinimumSize: the French texts are longer, yet at
// 360×480 (2 px more, see below) every control of the call shows its
// whole label.
func TestFrenchControlsFitAtMinimumSize(t *testing.T) {
	inLanguage(t, "fr")
	f := newFixture(t)
	out, err := f.e.Call(context.Background(), "1002")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.Answer(out.ID()); err != nil {
		t.Fatal(err)
	}
	f.e.Ring("1003", "Alice")
	f.waitUntil("the call and the ringing card", func() bool {
		r := f.row(out.ID())
		return r != nil && usable(r.hold) && len(f.m.incoming.cards) == 1
	})
	win := f.m.Window()
	f.ui.do(func() { win.Resize(fyne.NewSize(minWindowWidth, minWindowHeight)) })
	f.ui.do(func() {
		// "Raccrocher", the word agents know, with its icon is 0.6 px wider
		// than a third of 360 px: the French window's narrowest is 362 px.
		const frenchExtra = 2
		if min := win.Content().MinSize(); min.Width > minWindowWidth+frenchExtra || min.Height > minWindowHeight {
			t.Errorf("the window cannot be made %dx%d in French: its content needs %v", minWindowWidth+frenchExtra, minWindowHeight, min)
		}
		r := f.row(out.ID())
		bar := r.hold.Size().Width // the bar's cells are equal
		pairs := (3*bar + theme.Padding()) / 2
		check := func(b *widget.Button, cell float32) {
			// The label and icon must fit; the padding around them may
			// shrink by half.
			if need := b.MinSize().Width; need > cell+theme.InnerPadding() {
				t.Errorf("%q needs %.0f px, its cell has %.0f", b.Text, need, cell)
			}
		}
		for _, b := range []*widget.Button{r.hold, r.resume, r.mute, r.unmute, r.keypad, r.transfer, r.conference, r.hangup} {
			check(b, bar)
		}
		check(r.complete, pairs)
		check(r.cancel, pairs)
		for _, c := range f.m.incoming.cards {
			check(c.answer, c.answer.Size().Width)
			check(c.decline, c.decline.Size().Width)
		}
	})
}

// Sign-in failures and warnings come from outside gui/ as reasons, and the
// window words them in the user's language.
func TestSignInFailureInFrench(t *testing.T) {
	inLanguage(t, "fr")
	c := &scriptedConnector{outcomes: []error{&SignInError{
		Reason: ReasonUnreachable, Server: "wazo.example.com", Detail: "connection refused",
		Problem: "Cannot reach wazo.example.com: connection refused.", Field: "server",
	}}}
	f := newSignInFixture(t, c, SignIn{Kind: AccountWazo, Server: "wazo.example.com", Username: "alice", Password: "pw", NoKeyring: true})
	f.ui.do(func() { f.s.submit(false) })
	f.waitUntil("the French error", f.shows("Impossible de joindre wazo.example.com\u00a0: connexion"))
	f.waitUntil("the French advice", f.shows("Vérifiez l'adresse du serveur et votre connexion réseau."))
	f.waitUntil("the French keyring note", f.shows("Cet ordinateur n'a pas de trousseau"))
	if got := warningText(WarningNoSound, nil); !strings.HasPrefix(got, "Aucun périphérique audio ne fonctionne") {
		t.Errorf("no-sound warning in French: %q", got)
	}
}
