package gui

import (
	"embed"
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"
)

// translationFiles holds the window's texts in each language, keyed by
// their English wording (docs/decisions/0015-translations.md).
//
//go:embed translations/*.json
var translationFiles embed.FS

// localeEnv are the variables Fyne's lang package reads the user's language
// from (through github.com/jeandeaual/go-locale), in gettext's order:
// LC_ALL, then LC_MESSAGES, then LANG, with LANGUAGE listing preferences
// unless the locale is C or POSIX.
var localeEnv = [...]string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}

// useLanguage loads Parley's translations and picks the language of the
// window's texts: language ("fr", "en", "fr_CA.UTF-8") when it is set,
// else the system's. It applies to the whole process, as lang's choice is
// Fyne's: call it before the first window is built, on the main goroutine.
//
// Fyne 2.8.1's lang package has no call to choose a locale; it reads the
// environment whenever translations are added. To choose one, the locale
// variables are set for the moment translations load, then put back, so
// programs Parley starts and C libraries keep the user's locale.
func useLanguage(language string) error {
	if language == "" {
		return lang.AddTranslationsFS(translationFiles, "translations")
	}
	type saved struct {
		value string
		set   bool
	}
	var old [len(localeEnv)]saved
	for i, name := range localeEnv {
		old[i].value, old[i].set = os.LookupEnv(name)
	}
	defer func() {
		for i, name := range localeEnv {
			if old[i].set {
				_ = os.Setenv(name, old[i].value)
			} else {
				_ = os.Unsetenv(name)
			}
		}
	}()
	for _, name := range localeEnv {
		_ = os.Unsetenv(name)
	}
	_ = os.Setenv("LC_MESSAGES", strings.TrimSpace(language))
	return lang.AddTranslationsFS(translationFiles, "translations")
}
