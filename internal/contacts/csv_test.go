package contacts

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		problems int
	}{
		{
			name: "Google Contacts export",
			in: "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Organization 1 - Name\n" +
				"Hélène Dupont,Hélène,Dupont,* Work,helene@example.com,Mobile,+33 6 11 22 33 44 ::: 06 55 55 55 55,Work,01 23 45 67 89,ACME\n" +
				",Marc,Durand,,,Home,0399999999,,,\n",
			want: "Hélène Dupont [mobile=+33 6 11 22 33 44, mobile=06 55 55 55 55, work=01 23 45 67 89] org=ACME email=helene@example.com\n" +
				"Marc Durand [home=0399999999]",
		},
		{
			name: "newer Google export (First Name, Label)",
			in: "First Name,Middle Name,Last Name,Phone 1 - Label,Phone 1 - Value\n" +
				"Zoé,Anne,Martin,Mobile,0611223344\n",
			want: "Zoé Anne Martin [mobile=0611223344]",
		},
		{
			name: "Outlook export",
			in: "\ufeffFirst Name,Last Name,Company,Business Phone,Business Fax,Home Phone,Mobile Phone,Primary Phone,E-mail Address,Notes\r\n" +
				"Bob,Smith,\"Smith, Ltd\",+44 20 7946 0000,+44 20 7946 0001,,07700 900000,,bob@example.com,\"Calls late,\r\nprefers mobile\"\r\n",
			want: "Bob Smith [work=+44 20 7946 0000, work fax=+44 20 7946 0001, mobile=07700 900000] org=Smith, Ltd email=bob@example.com note=Calls late,\nprefers mobile",
		},
		{
			name: "French spreadsheet, semicolons",
			in:   "Nom;Prénom;Téléphone portable;Téléphone bureau\nLeduc;Noël;06 12 34 56 78;01 23 45 67 89\n",
			want: "Noël Leduc [mobile=06 12 34 56 78, work=01 23 45 67 89]",
		},
		{
			name: "Outlook export in French",
			in: "Prénom,Nom,Société,Téléphone (bureau),Télécopie (bureau),Téléphone (domicile),Tél. mobile,Téléphone principal de la société\r\n" +
				"Noël,Leduc,ACME,01 23 45 67 89,01 23 45 67 00,04 11 11 11 11,06 12 34 56 78,01 00 00 00 00\r\n",
			want: "Noël Leduc [work=01 23 45 67 89, work fax=01 23 45 67 00, home=04 11 11 11 11, mobile=06 12 34 56 78, main=01 00 00 00 00] org=ACME",
		},
		{
			name: "Outlook company main phone",
			in:   "Name,Company Main Phone,Business Phone\nACME,0100000000,0123456789\n",
			want: "ACME [main=0100000000, work=0123456789]",
		},
		{
			name: "French first and last columns",
			in:   "Prénom;Nom de famille;Portable\nNoël;Leduc;06 12 34 56 78\n",
			want: "Noël Leduc [mobile=06 12 34 56 78]",
		},
		{
			name: "tabs",
			in:   "Name\tPhone\nA\t1002\n",
			want: "A [other=1002]",
		},
		{
			name:     "rows left out, with reasons",
			in:       "Name,Phone\nA,1002\n,\nB,\nC,not a number\n,0123456789\n",
			want:     "A [other=1002]\n0123456789 [other=0123456789]",
			problems: 2,
		},
		{
			name: "name from company, SIP column",
			in:   "Name,Company,SIP Address\n,Reception,sip:reception@pbx\n",
			want: "Reception [] org=Reception sip=sip:reception@pbx",
		},
		{
			name: "ragged rows",
			in:   "Name,Phone,Extra\nA,1\nB,2,x,y,z\n",
			want: "A [other=1]\nB [other=2]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, ps, err := ParseCSV([]byte(tt.in))
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got := summary(cs); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if len(ps) != tt.problems {
				t.Errorf("problems = %v, want %d", ps, tt.problems)
			}
		})
	}
}

func TestParseCSVEncodings(t *testing.T) {
	utf16le := func(s string) []byte {
		out := []byte{0xff, 0xfe}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-16 (Outlook Unicode)", utf16le("Name,Phone\r\nNoël,1002\r\n"), "Noël [other=1002]"},
		{"Latin-1", []byte("Name,Phone\nNo\xebl,1002\n"), "Noël [other=1002]"},
	}
	for _, tt := range tests {
		cs, _, err := ParseCSV(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := summary(cs); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		says string
	}{
		{"no name column", "Phone,Email\n1002,a@b\n", ErrNoNameColumn, "Phone, Email"},
		{"no phone column", "Name,Email\nA,a@b\n", ErrNoPhoneColumn, "Name, Email"},
		{"header only", "Name,Phone\n", ErrNoContacts, "no row"},
		{"empty", "", ErrNoContacts, "empty"},
		{"no header at all", "Bob Smith 0123456789\n", ErrNoNameColumn, "First Name"},
	}
	for _, tt := range tests {
		_, _, err := ParseCSV([]byte(tt.in))
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: err = %v, want %v mentioning %q", tt.name, err, tt.want, tt.says)
		}
	}
}
