package wazoline

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFingerprint(t *testing.T) {
	hexs := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	var want [32]byte
	for i := range want {
		want[i] = []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}[i%16]
	}
	colons := func(s string) string {
		var parts []string
		for i := 0; i < len(s); i += 2 {
			parts = append(parts, s[i:i+2])
		}
		return strings.Join(parts, ":")
	}
	tests := []struct {
		in string
		ok bool
	}{
		{hexs, true},
		{strings.ToUpper(hexs), true},
		{colons(strings.ToUpper(hexs)), true},
		{"sha256 Fingerprint=" + colons(strings.ToUpper(hexs)), true},
		{"sha256:" + hexs, true},
		{"  " + hexs + "\n", true},
		{hexs[:62], false},
		{hexs[:63] + "g", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFingerprint(tc.in)
			if tc.ok {
				if err != nil || got != want {
					t.Fatalf("got %x, %v", got, err)
				}
				return
			}
			if !errors.Is(err, ErrBadFingerprint) {
				t.Fatalf("err = %v, want ErrBadFingerprint", err)
			}
		})
	}
}
