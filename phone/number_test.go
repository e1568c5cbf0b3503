package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "1002", want: "1002"},
		{in: "  1002 ", want: "1002"},
		{in: "+33 (0)1 23-45.67.89", want: "+33123456789"},
		{in: "+33 (0)1 23-45 67 89", want: "+33123456789"},
		{in: "+44 (0) 20 7946 0958", want: "+442079460958"},
		{in: "(0)1 23 45 67 89", want: "0123456789"}, // national: the 0 is dialled
		{in: "+1 (555) 0100", want: "+15550100"},
		{in: "+1 555 0100", want: "+15550100"},
		{in: "tel:+15550100", want: "+15550100"},
		{in: "*72#", want: "*72#"},
		{in: "sip:1002@pbx.example.com", want: "sip:1002@pbx.example.com"},
		{in: "SIP:alice@example.com;transport=tcp", want: "sip:alice@example.com;transport=tcp"},
		{in: "alice@example.com", want: "sip:alice@example.com"},
		{in: "voicemail", want: "voicemail"},
		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: "1002\r\nX-Injected: yes", wantErr: true},
		{in: "10\n02", wantErr: true},
		{in: "10\x0002", wantErr: true},
		{in: "1+2", wantErr: true},
		{in: "++1", wantErr: true},
		{in: "+", wantErr: true},
		{in: "()-", wantErr: true},
		{in: "sip:@example.com", wantErr: true},
		{in: "sip:alice@", wantErr: true},
		{in: "sip:al ice@example.com", wantErr: true},
		{in: "sip:<alice@example.com>", wantErr: true},
		{in: "☎ 1002", wantErr: true},
		{in: "ｱ1002", wantErr: true},
		{in: "help me please", wantErr: true},
		{in: strings.Repeat("1", 200), wantErr: true},
	}
	for _, tt := range tests {
		got, err := NormalizeNumber(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("NormalizeNumber(%q) = %q, want an error", tt.in, got)
			} else if !errors.Is(err, ErrInvalidNumber) {
				t.Errorf("NormalizeNumber(%q) error %v does not wrap ErrInvalidNumber", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzNormalizeNumber checks that no input panics and that whatever is
// accepted is safe to put in a SIP header.
func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []string{"1002", "+33 1 23", "sip:a@b", "tel:+1", "a\r\nb", "sip:", "@", "+", "x@y;z=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeNumber(in)
		if err != nil {
			return
		}
		if out == "" || strings.ContainsAny(out, "\r\n\x00 <>\"") {
			t.Fatalf("NormalizeNumber(%q) accepted unsafe %q", in, out)
		}
	})
}
