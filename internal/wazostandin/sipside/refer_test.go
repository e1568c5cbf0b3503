package sipside

import "testing"

func TestParseReferTo(t *testing.T) {
	tests := []struct {
		in, exten, replaces string
		ok                  bool
	}{
		{"<sip:1001@wazo.example.com>", "1001", "", true},
		{"sip:1001@wazo.example.com", "1001", "", true},
		{`"Desk" <sips:2000@10.0.0.1:5061;transport=tls>`, "2000", "", true},
		{"<sip:1002@pbx?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>", "1002", "abc@host", true},
		{"<sip:1002@pbx?Require=replaces&Replaces=x%2By%3Bto-tag%3D1%3Bfrom-tag%3D2>", "1002", "x+y", true},
		{"<tel:+33123456789>", "", "", false},
		{"<sip:pbx.example.com>", "", "", false},
		{"<sip:1001@pbx", "", "", false},
		{"<sip:1002@pbx?Replaces=%3Bto-tag%3D1>", "", "", false},
	}
	for _, tt := range tests {
		exten, replaces, ok := parseReferTo(tt.in)
		if exten != tt.exten || replaces != tt.replaces || ok != tt.ok {
			t.Errorf("parseReferTo(%q) = %q, %q, %v; want %q, %q, %v", tt.in, exten, replaces, ok, tt.exten, tt.replaces, tt.ok)
		}
	}
}
