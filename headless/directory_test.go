package headless_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/wazoline"
)

// startOnStandIn runs the JSON-lines front end on a real Wazo line signed
// in to the demo stand-in, with its Desk.
func startOnStandIn(t *testing.T) (*session, *demo.Demo) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(d.CertificateSHA256()))
	if err != nil {
		t.Fatal(err)
	}
	dk := desk.New(line)
	t.Cleanup(func() {
		dk.Close()
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, out: newOutput(), done: make(chan error, 1)}
	rctx, rcancel := context.WithCancel(ctx)
	go func() { s.done <- headless.Run(rctx, line.API(), pr, s.out, headless.WithDesk(dk)) }()
	t.Cleanup(func() {
		rcancel()
		_ = pw.Close()
		<-s.done
	})
	return s, d
}

// result decodes the "result" of the reply to id.
func result(t *testing.T, s *session, id string, into any) line {
	t.Helper()
	l := s.reply(id)
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal([]byte(l.raw), &env); err != nil {
		t.Fatal(err)
	}
	if into != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, into); err != nil {
			t.Fatalf("%s: %v in %s", id, err, l.raw)
		}
	}
	return l
}

// TestDirectoryCommands: directory_search, directory_reverse and call_log
// against the demo's wazo-dird and call-logd; dird down is a plain error.
func TestDirectoryCommands(t *testing.T) {
	s, d := startOnStandIn(t)
	s.send(`{"cmd":"directory_search","id":"s","term":"hélène"}`)
	var found struct {
		Contacts []desk.Contact `json:"contacts"`
	}
	if l := result(t, s, "s", &found); l.OK == nil || !*l.OK || len(found.Contacts) != 1 || found.Contacts[0].Company != "Acme Logistique" ||
		found.Contacts[0].Kind != desk.KindFavourite {
		t.Fatalf("search: %s", l.raw)
	}
	s.send(`{"cmd":"directory_reverse","id":"r","number":"1002"}`)
	var rev struct {
		Found   bool         `json:"found"`
		Contact desk.Contact `json:"contact"`
	}
	if l := result(t, s, "r", &rev); !rev.Found || rev.Contact.Name != "Chord Bot" || rev.Contact.Company != "Parley Test Lab" {
		t.Fatalf("reverse: %s", l.raw)
	}
	s.send(`{"cmd":"call_log","id":"c","limit":2}`)
	var log struct {
		Calls []desk.LogEntry `json:"calls"`
	}
	if l := result(t, s, "c", &log); len(log.Calls) != 2 || log.Calls[0].Number != "0611223344" {
		t.Fatalf("call_log: %s", l.raw)
	}
	s.send(`{"cmd":"directory_search","id":"e"}`)
	if l := s.reply("e"); l.OK == nil || *l.OK || !strings.Contains(l.Error, "term") {
		t.Errorf("no term: %s", l.raw)
	}
	d.Stack().SetDirdDown(true)
	s.send(`{"cmd":"directory_search","id":"down","term":"bot"}`)
	if l := s.reply("down"); l.OK == nil || *l.OK || !strings.Contains(l.Error, "company directory is not available") {
		t.Errorf("dird down: %s", l.raw)
	}
}
