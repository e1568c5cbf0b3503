package gui

import "testing"

// TestCheckTextWording: a sentence the window knows is worded in the
// user's language with the engine's values; one it does not know (a newer
// engine) shows the engine's English.
func TestCheckTextWording(t *testing.T) {
	port := CheckText{Key: "{{.Host}} answers on port {{.Port}}.", Values: map[string]string{"Host": "pbx.example.com", "Port": "5061"}}
	unknown := CheckText{Key: "A sentence from a newer engine about {{.Thing}}.", Values: map[string]string{"Thing": "x"}}
	tests := []struct {
		name, language string
		text           CheckText
		english, want  string
	}{
		{"known, English", "en", port, "pbx.example.com answers on port 5061.", "pbx.example.com answers on port 5061."},
		{"known, French", "fr", port, "pbx.example.com answers on port 5061.", "pbx.example.com répond sur le port 5061."},
		{"check name, French", "fr", CheckText{Key: "Server reachable"}, "Server reachable", "Serveur joignable"},
		{"unknown key", "fr", unknown, "A sentence from a newer engine about x.", "A sentence from a newer engine about x."},
		{"no key", "fr", CheckText{}, "Plain English.", "Plain English."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inLanguage(t, tt.language)
			if got := tt.text.word(tt.english); got != tt.want {
				t.Errorf("word = %q, want %q", got, tt.want)
			}
		})
	}
	if SelfTestKnows(unknown.Key) || !SelfTestKnows(port.Key) {
		t.Error("SelfTestKnows does not match the wording switch")
	}
}
