package deptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// The rules read the build's own import graph (`go list -deps`), not test files: a test may
// open a database or a queue to set up what it checks.

const mod = "github.com/simvid/simvid/"

// forbiddenInPure are what the pure packages must never reach, even through another package:
// starting a process, the network, a database.
var forbiddenInPure = []string{"os/exec", "net", "net/http"}

// drivers are the database drivers (module paths; their subpackages count too).
var drivers = []string{
	"modernc.org/sqlite",
	"github.com/jackc/pgx",
	"github.com/lib/pq",
	"github.com/mattn/go-sqlite3",
	"github.com/go-sql-driver/mysql",
}

// pure are the packages that plan and describe and run nothing: the planner, its ffmpeg
// argument builders and the domain types.
var pure = []string{"pkg/render", "pkg/ffargs", "pkg/simvid"}

type goPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Standard   bool
}

// graph is every package simvid's own packages build from, by import path.
type graph map[string]*goPackage

var (
	loadOnce sync.Once
	loaded   graph
	loadErr  error
)

func load(t *testing.T) graph {
	t.Helper()
	testutil.Need(t, "go")
	loadOnce.Do(func() { loaded, loadErr = goList(mod + "...") })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

func goList(pattern string) (graph, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,GoFiles,CgoFiles,Imports,Standard", pattern)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		g[p.ImportPath] = &p
	}
	return g, nil
}

// pkg returns simvid's package at rel ("pkg/render"), failing when it is gone: a rule about a
// package that no longer exists would pass without checking anything.
func (g graph) pkg(t *testing.T, rel string) *goPackage {
	t.Helper()
	p := g[mod+rel]
	if p == nil {
		t.Fatalf("%s is not in the build: update the rule that names it", rel)
	}
	return p
}

// own returns simvid's own packages (the module's root, main, too), sorted.
func (g graph) own() []*goPackage {
	var ps []*goPackage
	for path, p := range g {
		if strings.HasPrefix(path, mod) || path+"/" == mod {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *goPackage) int { return strings.Compare(a.ImportPath, b.ImportPath) })
	return ps
}

// reach returns, for every package from reaches, the import chain that reaches it first.
func (g graph) reach(from string) map[string][]string {
	chains := map[string][]string{from: {from}}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p := g[cur]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := chains[imp]; !seen {
				chains[imp] = append(slices.Clone(chains[cur]), imp)
				queue = append(queue, imp)
			}
		}
	}
	return chains
}

// under reports whether path is root or one of its subpackages.
func under(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

func isDriver(path string) bool {
	return slices.ContainsFunc(drivers, func(d string) bool { return under(path, d) })
}

func short(chain []string) string {
	s := make([]string, len(chain))
	for i, p := range chain {
		s[i] = strings.TrimPrefix(p, mod)
	}
	return strings.Join(s, " -> ")
}

// TestPurePackagesRunNothing: the planner, the ffmpeg argument builders and the domain types
// never reach os/exec, the network or a database driver, through any import.
func TestPurePackagesRunNothing(t *testing.T) {
	g := load(t)
	// The walk must see what it forbids: pkg/ffmpeg, which runs processes, reaches os/exec.
	if g.reach(g.pkg(t, "pkg/ffmpeg").ImportPath)["os/exec"] == nil {
		t.Fatal("the import walk does not see pkg/ffmpeg reach os/exec: the rule below is blind")
	}
	for _, rel := range pure {
		chains := g.reach(g.pkg(t, rel).ImportPath)
		for _, path := range slices.Sorted(maps.Keys(chains)) {
			if slices.Contains(forbiddenInPure, path) || isDriver(path) {
				t.Errorf("%s reaches %s: %s", rel, path, short(chains[path]))
			}
		}
	}
}

// TestOnlyJobsImportsTheQueue: pkg/jobs is the only importer of gocraft/work; everything
// else goes through it (the admin through jobs.Inspector).
func TestOnlyJobsImportsTheQueue(t *testing.T) {
	g := load(t)
	const queue = "github.com/gocraft/work"
	if !slices.Contains(g.pkg(t, "pkg/jobs").Imports, queue) {
		t.Fatalf("pkg/jobs does not import %s: update this rule", queue)
	}
	for _, p := range g.own() {
		if p.ImportPath == mod+"pkg/jobs" {
			continue
		}
		for _, imp := range p.Imports {
			if under(imp, queue) {
				t.Errorf("%s imports %s: only pkg/jobs may", strings.TrimPrefix(p.ImportPath, mod), imp)
			}
		}
	}
}

// TestOnlyStoreImportsDrivers: the database drivers are imported by pkg/store and its
// subpackages alone.
func TestOnlyStoreImportsDrivers(t *testing.T) {
	g := load(t)
	if !slices.ContainsFunc(g.pkg(t, "pkg/store").Imports, isDriver) {
		t.Fatal("pkg/store imports no driver: update this rule")
	}
	for _, p := range g.own() {
		if under(p.ImportPath, mod+"pkg/store") {
			continue
		}
		for _, imp := range p.Imports {
			if isDriver(imp) {
				t.Errorf("%s imports %s: only pkg/store may", strings.TrimPrefix(p.ImportPath, mod), imp)
			}
		}
	}
}

// TestHandlersImportNoStoreOrMedia: pkg/httpapi and pkg/admin reach the application through
// pkg/service, never a store or media package. It checks file by file, so that the failure
// names the file that reopened the door.
func TestHandlersImportNoStoreOrMedia(t *testing.T) {
	g := load(t)
	g.pkg(t, "pkg/httpapi")
	g.pkg(t, "pkg/admin")
	fset := token.NewFileSet()
	for _, p := range g.own() {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		if !under(rel, "pkg/httpapi") && !under(rel, "pkg/admin") {
			continue
		}
		for _, name := range append(slices.Clone(p.GoFiles), p.CgoFiles...) {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, spec := range f.Imports {
				imp, _ := strconv.Unquote(spec.Path.Value)
				for _, door := range []string{"pkg/store", "pkg/media"} {
					if !under(imp, mod+door) {
						continue
					}
					t.Errorf("%s/%s imports %s: call a pkg/service method instead", rel, name, imp)
				}
			}
		}
	}
}
