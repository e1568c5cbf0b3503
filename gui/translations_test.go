package gui

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// -update-en rewrites translations/en.json from the texts the source
// uses (go test ./gui -run TestTranslationKeys -update-en). A new plural
// gets the same text for "one" and "other": write its singular by hand.
var updateEN = flag.Bool("update-en", false, "rewrite gui/translations/en.json from the source's lang calls")

// sourceText is one lang.L/X/N call in the window's source.
type sourceText struct {
	key, english string
	plural       bool
	at           string
}

// sourceTexts finds every lang.L, lang.X, lang.N and lang.XN call in the
// package's non-test files. Their key must be a constant: a string or a
// package constant, so that this scan, and so the tests, see every text.
func sourceTexts(t *testing.T) []sourceText {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				for i, n := range v.Names {
					if i < len(v.Values) {
						if s, ok := stringConstant(v.Values[i], nil); ok {
							consts[n.Name] = s
						}
					}
				}
			}
		}
	}
	var found []sourceText
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "lang" {
				return true
			}
			at := fset.Position(call.Pos()).String()
			arg := func(i int) string {
				if i >= len(call.Args) {
					t.Errorf("%s: lang.%s without argument %d", at, sel.Sel.Name, i+1)
					return ""
				}
				s, ok := stringConstant(call.Args[i], consts)
				if !ok {
					t.Errorf("%s: lang.%s's argument %d is not a constant string: the tests cannot check its translation", at, sel.Sel.Name, i+1)
				}
				return s
			}
			switch sel.Sel.Name {
			case "L", "Localize":
				k := arg(0)
				found = append(found, sourceText{key: k, english: k, at: at})
			case "N", "LocalizePlural":
				k := arg(0)
				found = append(found, sourceText{key: k, english: k, plural: true, at: at})
			case "X", "LocalizeKey":
				found = append(found, sourceText{key: arg(0), english: arg(1), at: at})
			case "XN", "LocalizePluralKey":
				found = append(found, sourceText{key: arg(0), english: arg(1), plural: true, at: at})
			}
			return true
		})
	}
	if len(found) == 0 {
		t.Fatal("no lang calls found: the scan is broken")
	}
	return found
}

// stringConstant evaluates a string literal, a package constant or a sum
// of them.
func stringConstant(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return stringConstant(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConstant(e.X, consts)
		b, ok2 := stringConstant(e.Y, consts)
		return a + b, ok1 && ok2
	}
	return "", false
}

// message is one entry of a translation file: a text, or plural forms.
type message struct {
	text  string
	forms map[string]string
}

func readTranslations(t *testing.T, name string) map[string]message {
	t.Helper()
	data, err := translationFiles.ReadFile("translations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make(map[string]message, len(raw))
	for k, v := range raw {
		var m message
		if err := json.Unmarshal(v, &m.text); err != nil {
			if err := json.Unmarshal(v, &m.forms); err != nil {
				t.Errorf("%s: %q is neither a text nor plural forms: %v", name, k, err)
			}
		}
		out[k] = m
	}
	return out
}

// templateFields are the {{.Name}} values a text uses.
var templateField = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func fieldsOf(s string) []string {
	var out []string
	for _, m := range templateField.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestTranslationKeys checks that every text the window shows through
// lang is in en.json with the English of the source, and that en.json
// holds no text the source no longer uses.
func TestTranslationKeys(t *testing.T) {
	texts := sourceTexts(t)
	if *updateEN {
		writeEnglish(t, texts)
	}
	en := readTranslations(t, "en.json")
	used := map[string]bool{}
	for _, s := range texts {
		used[s.key] = true
		m, ok := en[s.key]
		switch {
		case !ok:
			t.Errorf("%s: %q is missing from translations/en.json", s.at, s.key)
		case s.plural && m.forms == nil:
			t.Errorf("%s: %q is a plural (lang.N) but en.json has one text for it", s.at, s.key)
		case s.plural && m.forms["other"] != s.english:
			t.Errorf("%s: en.json's plural %q says %q for other, the source %q", s.at, s.key, m.forms["other"], s.english)
		case !s.plural && m.forms != nil:
			t.Errorf("%s: %q has plural forms in en.json but the source uses it without a count", s.at, s.key)
		case !s.plural && m.text != s.english:
			t.Errorf("%s: en.json says %q for %q, the source %q", s.at, m.text, s.key, s.english)
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("translations/en.json has %q, which no lang call uses", k)
		}
	}
}

// TestFrenchIsComplete fails on any text missing from either language, and
// on a translation that drops or invents one of a template's values.
func TestFrenchIsComplete(t *testing.T) {
	en, fr := readTranslations(t, "en.json"), readTranslations(t, "fr.json")
	for k, e := range en {
		f, ok := fr[k]
		if !ok {
			t.Errorf("fr.json has no translation for %q", k)
			continue
		}
		if (e.forms == nil) != (f.forms == nil) {
			t.Errorf("%q: one language has plural forms, the other not", k)
			continue
		}
		if e.forms == nil {
			if strings.TrimSpace(f.text) == "" {
				t.Errorf("fr.json: %q is empty", k)
			}
			if !slices.Equal(fieldsOf(e.text), fieldsOf(f.text)) {
				t.Errorf("%q: French %q uses %v, English %v", k, f.text, fieldsOf(f.text), fieldsOf(e.text))
			}
			continue
		}
		for _, form := range []string{"one", "other"} {
			if strings.TrimSpace(e.forms[form]) == "" || strings.TrimSpace(f.forms[form]) == "" {
				t.Errorf("%q: the %q form is missing (en %q, fr %q)", k, form, e.forms[form], f.forms[form])
			}
			if !slices.Equal(fieldsOf(e.forms[form]), fieldsOf(f.forms[form])) {
				t.Errorf("%q (%s): French %q uses %v, English %v", k, form, f.forms[form], fieldsOf(f.forms[form]), fieldsOf(e.forms[form]))
			}
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("fr.json has %q, which en.json has not", k)
		}
	}
}

// TestFrenchPunctuation keeps French typography consistent: a no-break
// space (U+00A0) before « : ; ? ! », never a plain space or none.
func TestFrenchPunctuation(t *testing.T) {
	bad := regexp.MustCompile(`([^\x{00A0}\s]|[ ])[:;?!]( |$)`)
	for k, m := range readTranslations(t, "fr.json") {
		texts := []string{m.text}
		for _, f := range m.forms {
			texts = append(texts, f)
		}
		for _, s := range texts {
			for _, line := range strings.Split(s, "\n") {
				if strings.Contains(line, "://") {
					continue
				}
				if bad.MatchString(line) {
					t.Errorf("fr.json %q: %q needs a no-break space before its : ; ? or !", k, line)
				}
			}
		}
	}
}

func writeEnglish(t *testing.T, texts []sourceText) {
	t.Helper()
	old := readTranslations(t, "en.json")
	out := map[string]any{}
	for _, s := range texts {
		if !s.plural {
			out[s.key] = s.english
			continue
		}
		forms := map[string]string{"one": s.english, "other": s.english}
		if m, ok := old[s.key]; ok && m.forms != nil {
			forms["one"] = m.forms["one"]
		}
		forms["other"] = s.english
		out[s.key] = forms
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("translations", "en.json"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote translations/en.json; the test reads the copy embedded at build time, run it again")
}

// shownBy are the calls whose string arguments the user reads: a literal
// passed to one of them must go through lang instead.
var shownBy = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true,
	"NewCheck": true, "NewRadioGroup": true, "NewSelect": true, "SetText": true, "SetPlaceHolder": true,
	"NewWindow": true, "SetTitle": true, "NewMenuItem": true, "NewMenu": true, "NewNotification": true,
	"NewConfirm": true, "ShowConfirm": true, "ShowInformation": true, "NewInformation": true,
	"NewCustom": true, "NewCustomWithoutButtons": true, "NewCustomConfirm": true,
	"SetConfirmText": true, "SetDismissText": true, "setNotice": true, "showError": true,
	"setMessage": true, "setButtonText": true, "newTipButton": true, "newTipLabel": true, "WithWarning": true,
}

var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// notWords are literals the window shows as they are in every language.
var notWords = map[string]bool{"Parley": true, "STUN": true, "TURN": true, "UDP": true, "wazo.example.com": true}

// TestNoUntranslatedTexts fails on a string literal handed straight to a
// widget, a window title, a menu or a notice: a text someone forgot to wrap
// in lang.L.
func TestNoUntranslatedTexts(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			case *ast.Ident:
				fn = f.Name
			}
			if !shownBy[fn] {
				return true
			}
			for _, a := range call.Args {
				ast.Inspect(a, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok {
						if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
							if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "lang" {
								return false // translated
							}
						}
					}
					lit, ok := n.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return true
					}
					s, _ := strconv.Unquote(lit.Value)
					// Format verbs and separators ("%s · %s", "Parley — ")
					// are not words.
					s = strings.TrimFunc(formatVerb.ReplaceAllString(s, ""), func(r rune) bool { return !unicode.IsLetter(r) })
					if s != "" && !notWords[s] {
						t.Errorf("%s: %s(%q …) shows an untranslated text: wrap it in lang.L and add it to translations/*.json",
							fset.Position(lit.Pos()), fn, s)
					}
					return true
				})
			}
			return true
		})
	}
}
