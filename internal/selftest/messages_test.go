package selftest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMessagesListed finds every msg call in the package's source: its key
// must be a string literal (so a front end can know it) listed by Messages.
func TestMessagesListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := Messages()
	fset := token.NewFileSet()
	found := 0
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
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "msg" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: msg's key is not a string literal", fset.Position(call.Pos()))
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			found++
			if !slices.Contains(listed, key) {
				t.Errorf("%s: %q is not in Messages()", fset.Position(call.Pos()), key)
			}
			if (len(call.Args)-1)%2 != 0 {
				t.Errorf("%s: msg(%q) has an odd number of name/value arguments", fset.Position(call.Pos()), key)
			}
			return true
		})
	}
	if found < 40 {
		t.Errorf("found only %d msg calls: the scan is broken", found)
	}
	for _, c := range All() {
		if !slices.Contains(listed, c.Name) {
			t.Errorf("check name %q is not in Messages()", c.Name)
		}
	}
}

// TestMessagesRender fills every key's fields and checks that it renders
// as a template (a broken key would render as itself, braces and all).
func TestMessagesRender(t *testing.T) {
	field := regexp.MustCompile(`\{\{\.([A-Za-z]+)\}\}`)
	for _, key := range Messages() {
		m := Message{Key: key, Values: map[string]string{}}
		for _, f := range field.FindAllStringSubmatch(key, -1) {
			m.Values[f[1]] = "<" + f[1] + ">"
		}
		got := m.Render()
		if strings.Contains(got, "{{") || strings.Contains(got, "no value") {
			t.Errorf("%q renders as %q", key, got)
		}
	}
	if got := msg("{{.Host}} answers on port {{.Port}}.", "Host", "pbx", "Port", "5061").Render(); got != "pbx answers on port 5061." {
		t.Errorf("Render = %q", got)
	}
}
