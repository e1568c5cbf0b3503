package gui

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// TestEveryReasonCodeIsWorded fails when the engine gains a reason code
// the window does not word, or words only in English.
func TestEveryReasonCodeIsWorded(t *testing.T) {
	english := map[phone.ReasonCode]string{}
	for _, code := range phone.ReasonCodes() {
		if code == phone.ReasonError {
			continue // the engine's sentence is the detail
		}
		text, ok := reasonCodeText(code, 499)
		if !ok || text == "" {
			t.Errorf("reason %q has no wording", code)
		}
		english[code] = text
	}
	inLanguage(t, "fr")
	for code, en := range english {
		if fr, _ := reasonCodeText(code, 499); fr == en {
			t.Errorf("reason %q reads %q in French too", code, fr)
		}
	}
}

// TestEngineErrorsInFrench: what the engine says goes wrong reaches a
// French window as a French sentence; only what nobody can word (a Go
// error) is quoted, as a technical detail inside a French sentence.
func TestEngineErrorsInFrench(t *testing.T) {
	inLanguage(t, "fr")
	_, badNumber := phone.NormalizeNumber("12$4")
	_, emptyNumber := phone.NormalizeNumber("  ")
	_, noHost := phone.NormalizeNumber("sip:1002@")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"ended by the far end", endedText(phone.CallSession{Number: "1002", Status: phone.StatusEnded, Answered: true, EndReason: "the other party hung up", EndReasonCode: phone.ReasonRemoteHangup}, ""),
			"L'appel avec 1002 est terminé\u00a0: votre correspondant a raccroché."},
		{"busy", endedText(phone.CallSession{Number: "1002", Status: phone.StatusFailed, SIPStatus: 486, EndReason: "the line is busy", EndReasonCode: phone.ReasonBusy}, ""),
			"L'appel avec 1002 n'a pas abouti\u00a0: la ligne est occupée."},
		{"another SIP status", endedText(phone.CallSession{Number: "1002", Status: phone.StatusFailed, SIPStatus: 420, EndReason: "the call failed: Bad Extension (420)", EndReasonCode: phone.ReasonSIPStatus}, ""),
			"L'appel avec 1002 n'a pas abouti\u00a0: l'appel a échoué avec le statut SIP 420."},
		{"an old history entry without a code", endReasonText("", 0, "the line is busy"), "la ligne est occupée"},
		{"a Go error", endReasonText(phone.ReasonError, 0, "the call could not be answered: dtls: handshake timeout"),
			"une erreur s'est produite (détail technique\u00a0: the call could not be answered: dtls: handshake timeout)"},
		{"no such call", failureText("de mettre en attente", fmt.Errorf("%w: %q", phone.ErrNoSuchCall, "abc")),
			"Impossible de mettre en attente\u00a0: cet appel est terminé."},
		{"wrong state", failureText("de répondre", fmt.Errorf("%w: only a ringing incoming call can be accepted", phone.ErrWrongState)),
			"Impossible de répondre\u00a0: l'appel n'est pas dans un état qui le permet."},
		{"a refused re-INVITE", failureText("de mettre en attente", fmt.Errorf("hold: %w", &fakeStatus{})),
			"Impossible de mettre en attente\u00a0: une erreur s'est produite (détail technique\u00a0: hold: 491 Request Pending)."},
		{"timeout", failureText("de transférer", context.DeadlineExceeded), "Impossible de transférer\u00a0: aucune réponse n'est arrivée à temps."},
		{"bad character", dialErrorText(badNumber), "Impossible de composer ce numéro\u00a0: «\u00a0$\u00a0» n'est pas autorisé dans un numéro."},
		{"empty number", dialErrorText(emptyNumber), "Impossible de composer ce numéro\u00a0: le numéro est vide."},
		{"SIP URI without host", dialErrorText(noHost), "Impossible de composer ce numéro\u00a0: l'adresse SIP n'a pas d'hôte."},
		{"calld's hint", conferenceErrorText("x", fmt.Errorf("%w: %w", conference.ErrStart, conference.ErrAlreadyParticipant)),
			"Impossible de démarrer la conférence\u00a0: cette personne est déjà dans la conférence."},
		{"registration refused", registrationReasonText(phone.Registration{State: phone.RegFailed, Code: 403, Reason: "registration refused (403 Forbidden)", ReasonCode: phone.ReasonForbidden}),
			"le serveur n'autorise pas ce compte à s'enregistrer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

// fakeStatus is an error that is not a SIP response the engine exposes:
// the window has nothing better than its text.
type fakeStatus struct{}

func (*fakeStatus) Error() string { return "491 Request Pending" }

// TestNoEngineTextInWindow fails when window code shows an error's own
// English text (err.Error()) instead of wording it through errorText.
func TestNoEngineTextInWindow(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"errorwords.go": true} // technicalText quotes the detail on purpose
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || allowed[name] {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Error" {
				return true
			}
			if parent := enclosingFunc(f, call.Pos()); parent == "Error" || parent == "signInFailure" {
				return true // an Error method itself; the emptiness test in signInFailure
			}
			t.Errorf("%s: an error's English text is shown as it is; word it with errorText", fset.Position(call.Pos()))
			return true
		})
	}
	if t.Failed() {
		t.Log("errors.Is against the engine's sentinels, phone.ReasonCode and phone.SIPStatusOf say what went wrong in a way the window can translate")
	}
}

// enclosingFunc names the function declaration around pos.
func enclosingFunc(f *ast.File, pos token.Pos) string {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
			return fd.Name.Name
		}
	}
	return ""
}
