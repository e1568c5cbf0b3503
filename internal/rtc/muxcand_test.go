package rtc

import (
	"strings"
	"testing"
)

func TestWithoutRTCPCandidates(t *testing.T) {
	const c1 = "a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host"
	const c2 = "a=candidate:1 2 udp 2130706431 192.0.2.1 40000 typ host"
	tests := []struct {
		name    string
		in      []string
		want    []string
		changed bool
	}{
		{"muxed: component 2 dropped", []string{"m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtcp-mux", c1, c2}, []string{"m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtcp-mux", c1}, true},
		{"not muxed: both kept", []string{"m=audio 9 UDP/TLS/RTP/SAVPF 111", c1, c2}, []string{"m=audio 9 UDP/TLS/RTP/SAVPF 111", c1, c2}, false},
		{"muxed, nothing to drop", []string{"m=audio 9 RTP/AVP 0", "a=rtcp-mux", c1}, []string{"m=audio 9 RTP/AVP 0", "a=rtcp-mux", c1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := withoutRTCPCandidates(tt.in)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") || changed != tt.changed {
				t.Errorf("got %q changed=%v, want %q changed=%v", got, changed, tt.want, tt.changed)
			}
		})
	}
}

// A whole offer as pion writes it loses its RTCP copies and gets its
// default destination.
func TestSetDefaultDestinationTrimsRTCPCandidates(t *testing.T) {
	in := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp-mux\r\n" +
		"a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host\r\na=candidate:1 2 udp 2130706431 192.0.2.1 40000 typ host\r\n"
	out := string(setDefaultDestination([]byte(in)))
	if strings.Contains(out, "a=candidate:1 2 ") {
		t.Errorf("component 2 kept:\n%s", out)
	}
	if !strings.Contains(out, "m=audio 40000 ") || !strings.Contains(out, "c=IN IP4 192.0.2.1") {
		t.Errorf("default destination not set:\n%s", out)
	}
}
