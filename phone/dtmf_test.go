package phone_test

import (
	"testing"

	"github.com/parley-voip/parley/phone"
)

func TestParseDTMFMethod(t *testing.T) {
	tests := []struct {
		in      string
		want    phone.DTMFMethod
		wantErr bool
	}{
		{in: "", want: phone.DTMFAuto},
		{in: "auto", want: phone.DTMFAuto},
		{in: " RFC4733 ", want: phone.DTMFRFC4733},
		{in: "rfc2833", want: phone.DTMFRFC4733},
		{in: "info", want: phone.DTMFInfo},
		{in: "inband", wantErr: true},
	}
	for _, tc := range tests {
		got, err := phone.ParseDTMFMethod(tc.in)
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("ParseDTMFMethod(%q) = %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil && tc.in != "" && tc.in != "rfc2833" {
			if back, _ := phone.ParseDTMFMethod(got.String()); back != got {
				t.Errorf("%v does not round-trip through String", got)
			}
		}
	}
}
