package gui

import (
	"testing"

	"github.com/parley-voip/parley/phone"
)

func TestQualityLineSaysWhetherAudioIsEncrypted(t *testing.T) {
	tests := []struct {
		s    phone.MediaSecurity
		want string
	}{
		{phone.MediaSecurityDTLSSRTP, "Quality: measuring…"},
		{phone.MediaSecuritySRTP, "Quality: measuring… · Encrypted (SRTP)"},
		{phone.MediaSecurityPlain, "Quality: measuring… · Not encrypted"},
		{phone.MediaSecurityNone, "Quality: measuring…"},
	}
	for _, tt := range tests {
		if got := withSecurity("Quality: measuring…", tt.s); got != tt.want {
			t.Errorf("withSecurity(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
