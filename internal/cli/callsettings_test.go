package cli

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/gui"
)

func TestPickCodecs(t *testing.T) {
	tests := []struct {
		file    []string
		flag    string
		env     string
		want    []string
		wantErr string
	}{
		{want: nil},
		{file: []string{"pcma", "opus"}, want: []string{"pcma", "opus"}},
		{file: []string{"pcma"}, flag: "G722, opus,g722", want: []string{"g722", "opus"}},
		{env: "pcmu", want: []string{"pcmu"}},
		{flag: "opus,gsm", wantErr: `unknown codec "gsm"`},
		{flag: " , ", wantErr: "the codec list is empty"},
	}
	for _, tt := range tests {
		got, err := pickCodecs(tt.file, tt.flag, func(k string) string {
			if k == "PARLEY_CODECS" {
				return tt.env
			}
			return ""
		})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: error %v, want %q", tt, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, %v", tt, got, err)
		}
	}
}

func TestCallSettingsFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "account.json")
	if err := os.WriteFile(path, []byte(`{"transport":"tcp","server":"pbx.example.com","username":"1001","local_port":5080}`), 0o600); err != nil {
		t.Fatal(err)
	}
	store := callSettingsFile{path: path}
	got, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Codecs, defaultCodecs()) || got.AutoAnswer != "off" || got.DTMF != "auto" || !slices.Contains(got.AvailableCodecs, "g722") {
		t.Fatalf("defaults %+v", got)
	}
	want := gui.CallSettings{Codecs: []string{"g722", "opus"}, AutoAnswer: "intercom", AutoAnswerDelay: 2 * time.Second, DTMF: "info"}
	if err := store.Save(want); err != nil {
		t.Fatal(err)
	}
	// The next start reads them, and the rest of the file is kept.
	s, err := Parse([]string{"-config", path}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Codecs, want.Codecs) || s.Line.AutoAnswer != "intercom" || s.Line.AutoAnswerDelay != 2*time.Second || s.Line.DTMF != "info" || s.Line.LocalPort != 5080 || s.Account.Server != "pbx.example.com" {
		t.Fatalf("settings after saving: codecs %v, line %+v, server %q", s.Codecs, s.Line, s.Account.Server)
	}
	if err := store.Save(gui.CallSettings{Codecs: []string{"speex"}}); err == nil {
		t.Error("an unknown codec was saved")
	}
	// A locked auto-answer is not written, whatever the form says.
	locked := callSettingsFile{path: path, locked: []string{"auto_answer"}}
	if err := locked.Save(gui.CallSettings{Codecs: []string{"opus"}, AutoAnswer: "always", DTMF: "auto"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := locked.Load(); got.AutoAnswer != "intercom" || !got.AutoAnswerLocked {
		t.Fatalf("locked auto-answer became %+v", got)
	}
}
