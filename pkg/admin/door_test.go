package admin

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAdminStaysOutOfTheQueue: the admin reads and steers the queues only through
// jobs.Inspector. It imports no gocraft/work, builds no key of the queue's namespaces and
// runs no Lua script of its own (the lock script lives in pkg/jobs), so the queue's key
// layout can change in one package.
func TestAdminStaysOutOfTheQueue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "github.com/gocraft/") {
				t.Errorf("%s imports %s: use jobs.Inspector", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					if s := x.Name + "." + n.Sel.Name; s == "jobs.Namespace" || s == "redis.NewScript" {
						t.Errorf("%s uses %s: the queue's keys and scripts belong to pkg/jobs", fset.Position(n.Pos()), s)
					}
				}
			case *ast.BasicLit:
				if v, err := strconv.Unquote(n.Value); err == nil {
					for _, key := range []string{"known_jobs", "simvid:lock:", "simvid:lease:", "simvid:video", "simvid:audio"} {
						if strings.Contains(v, key) {
							t.Errorf("%s writes the queue key %q: use jobs.Inspector", fset.Position(n.Pos()), key)
						}
					}
				}
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("read %d files of pkg/admin; run from its directory", checked)
	}
}
