package contacts

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// summary renders the fields a test checks, compactly.
func summary(cs []Contact) string {
	var out []string
	for _, c := range cs {
		var nums []string
		for _, n := range c.Numbers {
			nums = append(nums, n.Label+"="+n.Value)
		}
		s := fmt.Sprintf("%s [%s]", c.Name, strings.Join(nums, ", "))
		if c.Company != "" {
			s += " org=" + c.Company
		}
		if c.SIP != "" {
			s += " sip=" + c.SIP
		}
		if len(c.Emails) > 0 {
			s += " email=" + strings.Join(c.Emails, ",")
		}
		if c.Note != "" {
			s += " note=" + c.Note
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func TestParseVCard(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		problems int
	}{
		{
			name: "3.0 with types, escapes and folding",
			in: "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dupont;Hélène;;Dr;\r\nFN:Hélène Dupont\r\n" +
				"ORG:Dupont\\, Fils & Cie;Ventes\r\n" +
				"TEL;TYPE=WORK,VOICE:+33 1 23 45 67 89\r\nTEL;TYPE=CELL:06 11 22 33 44\r\n" +
				"TEL;TYPE=\"home,fax\":01 99 99 99 99\r\n" +
				"EMAIL;TYPE=INTERNET:helene@example.com\r\n" +
				"NOTE:Appeler le matin\\, pas après 18h\\nMerci\r\n  ; suite pliée\r\n" +
				"END:VCARD\r\n",
			want: "Hélène Dupont [work=+33 1 23 45 67 89, mobile=06 11 22 33 44, home fax=01 99 99 99 99] org=Dupont, Fils & Cie email=helene@example.com note=Appeler le matin, pas après 18h\nMerci ; suite pliée",
		},
		{
			name: "4.0 tel URIs, IMPP sip, group labels (Apple)",
			in: "BEGIN:VCARD\nVERSION:4.0\nFN:Marc\nTEL;VALUE=uri;TYPE=\"voice,cell\";PREF=1:tel:+33-6-98-76-54-32\n" +
				"item1.TEL:+44 20 7946 0000\nitem1.X-ABLabel:_$!<Assistant>!$_\n" +
				"IMPP;PREF=1:sip:marc@pbx.example\nEND:VCARD\n",
			want: "Marc [mobile=+33-6-98-76-54-32, assistant=+44 20 7946 0000] sip=sip:marc@pbx.example",
		},
		{
			name: "2.1 bare types and quoted-printable with soft line breaks",
			in: "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:L=C3=A9vy;=C3=89lodie\r\n" +
				"TEL;CELL;PREF:0611223344\r\nTEL;WORK:0123456789\r\n" +
				"NOTE;ENCODING=QUOTED-PRINTABLE:Premi=C3=A8re ligne=0D=0A=\r\nseconde ligne\r\nEND:VCARD\r\n",
			want: "Élodie Lévy [mobile=0611223344, work=0123456789] note=Première ligne\r\nseconde ligne",
		},
		{
			name: "2.1 Latin-1",
			in:   "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=ISO-8859-1:No\xebl\nTEL:1002\nEND:VCARD\n",
			want: "Noël [=1002]",
		},
		{
			name: "no FN: name from N, or from the company",
			in: "BEGIN:VCARD\nVERSION:3.0\nN:Martin;Zoé;;;\nTEL:1\nEND:VCARD\n" +
				"BEGIN:VCARD\nVERSION:3.0\nORG:Standard\nTEL:0123456789\nEND:VCARD\n",
			want: "Zoé Martin [=1]\nStandard [=0123456789] org=Standard",
		},
		{
			name: "several cards, BOM, blank lines, one unusable",
			in: "\ufeffBEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:1\nEND:VCARD\n\n" +
				"BEGIN:VCARD\nVERSION:3.0\nFN:No number\nEND:VCARD\n" +
				"BEGIN:VCARD\nVERSION:3.0\nFN:B\nX-SIP:b@pbx\nEND:VCARD\n",
			want:     "A [=1]\nB [] sip=sip:b@pbx",
			problems: 1,
		},
		{
			name: "photo and unknown properties ignored, junk line reported",
			in: "BEGIN:VCARD\nVERSION:3.0\nFN:A\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\n  AAAQABAAD\n" +
				"X-CUSTOM;X-P=1:whatever\nthis line has no colon\nTEL:1\nEND:VCARD\n",
			want:     "A [=1]",
			problems: 1,
		},
		{
			name:     "missing END",
			in:       "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:1\nBEGIN:VCARD\nFN:B\nTEL:2\n",
			want:     "A [=1]\nB [=2]",
			problems: 2,
		},
		{
			name:     "tel that is not a number",
			in:       "BEGIN:VCARD\nFN:A\nTEL:ask reception\nTEL:1\nEND:VCARD\n",
			want:     "A [=1]",
			problems: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, ps, err := ParseVCard([]byte(tt.in))
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got := summary(cs); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if len(ps) != tt.problems {
				t.Errorf("problems = %v, want %d", ps, tt.problems)
			}
			for _, p := range ps {
				if p.Line == 0 || p.Reason == "" {
					t.Errorf("problem without line or reason: %+v", p)
				}
			}
		})
	}
}

func TestParseVCardErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		says string
	}{
		{"not a vcard", "hello world\n", ErrNotVCard, "BEGIN:VCARD"},
		{"empty", "", ErrNotVCard, "BEGIN:VCARD"},
		{"only empty cards", "BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n", ErrNoContacts, "line 1"},
	}
	for _, tt := range tests {
		_, _, err := ParseVCard([]byte(tt.in))
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: err = %v, want %v mentioning %q", tt.name, err, tt.want, tt.says)
		}
	}
}

// An export with a photo in every card, folded over thousands of lines, is
// read in linear time (a quadratic unfold would not finish before the test
// times out) and the photos are dropped.
func TestParseVCardLargePhotos(t *testing.T) {
	var b strings.Builder
	line := " " + strings.Repeat("QUJDRA", 12) + "\r\n" // 72 base64 characters, folded
	for i := range 60 {
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person %d\r\nTEL:%d\r\nPHOTO;ENCODING=b;TYPE=JPEG:", i, 1000+i)
		b.WriteString(strings.Repeat(line, 1500)) // ~110 KB per photo
		b.WriteString("END:VCARD\r\n")
	}
	data := []byte(b.String())
	if len(data) < 6<<20 || len(data) > MaxImportSize {
		t.Fatalf("test file is %d bytes", len(data))
	}
	cs, ps, err := ParseVCard(data)
	if err != nil || len(cs) != 60 || len(ps) != 0 {
		t.Fatalf("%d contacts, problems %v, err %v", len(cs), ps, err)
	}
	if cs[59].Name != "Person 59" || cs[59].Numbers[0].Value != "1059" {
		t.Errorf("last card = %+v", cs[59])
	}
}
