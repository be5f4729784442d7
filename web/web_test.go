package web

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFSHoldsThePage(t *testing.T) {
	want := []string{"index.html", "app.css", "favicon.svg", "js/app.js", "js/api.js", "js/slides.js", "js/music.js", "js/render.js"}
	if err := fstest.TestFS(FS(), want...); err != nil {
		t.Fatal(err)
	}
}

func TestVersionFilledIn(t *testing.T) {
	v := AssetVersion()
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(v) {
		t.Fatalf("AssetVersion() = %q, want 12 hex digits", v)
	}
	if AssetVersion() != v {
		t.Fatal("AssetVersion changed between calls")
	}
	idx := string(Index())
	if strings.Contains(idx, placeholder) {
		t.Fatal("Index() still holds " + placeholder)
	}
	for _, ref := range []string{"/static/app.css?v=" + v, "/static/js/app.js?v=" + v} {
		if !strings.Contains(idx, ref) {
			t.Errorf("index.html does not reference %s", ref)
		}
	}
	err := fs.WalkDir(FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS(), name)
		if strings.Contains(string(b), placeholder) {
			t.Errorf("%s still holds %s", name, placeholder)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIndexIsCSPFriendly(t *testing.T) {
	idx := string(Index())
	scripts := regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(idx, -1)
	if len(scripts) == 0 {
		t.Fatal("index.html loads no script")
	}
	for _, s := range scripts {
		if strings.TrimSpace(s[2]) != "" {
			t.Errorf("inline script content: %q", s[2])
		}
		if !strings.Contains(s[1], "src=") {
			t.Errorf("script without src: %q", s[0])
		}
	}
	if m := regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`).FindString(idx); m != "" {
		t.Errorf("inline event handler: %q", m)
	}
	if m := regexp.MustCompile(`(?i)(<style\b|\sstyle\s*=)`).FindString(idx); m != "" {
		t.Errorf("inline style (blocked by a strict CSP): %q", m)
	}
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).FindString(idx); m != "" {
		t.Errorf("external resource: %q", m)
	}
}

// The browser tests and the team's end-to-end tests find elements by these ids.
func TestIndexHasTestIDs(t *testing.T) {
	idx := string(Index())
	for _, id := range []string{"file-input", "slides", "resolution", "duration", "fit", "background", "transition",
		"transition-duration", "music-input", "music-start", "music-end", "music-fit", "music-fade-out", "generate",
		"cancel", "progress", "progress-text", "result-video", "download", "error", "status"} {
		if !strings.Contains(idx, `id="`+id+`"`) {
			t.Errorf("index.html has no #%s", id)
		}
	}
	if !strings.Contains(idx, `id="progress" class="progress" role="progressbar"`) {
		t.Error("#progress is not a progressbar")
	}
}

var importRE = regexp.MustCompile(`(?m)^import .* from '([^']+)';$`)

func TestScripts(t *testing.T) {
	files, err := fs.Glob(FS(), "js/*.js")
	if err != nil || len(files) < 5 {
		t.Fatalf("js files: %v %v", files, err)
	}
	banned := regexp.MustCompile(`\binnerHTML\b|\bouterHTML\b|\beval\(|new Function\(|document\.write|insertAdjacentHTML|setAttribute\('style'|https?://`)
	dir := t.TempDir()
	for _, name := range files {
		b, _ := fs.ReadFile(FS(), name)
		src := string(b)
		if m := banned.FindString(src); m != "" {
			t.Errorf("%s uses %q", name, m)
		}
		for _, m := range importRE.FindAllStringSubmatch(src, -1) {
			target, query, _ := strings.Cut(m[1], "?")
			if query != "v="+AssetVersion() {
				t.Errorf("%s imports %s without ?v=%s", name, m[1], AssetVersion())
			}
			if _, err := fs.Stat(FS(), filepath.ToSlash(filepath.Join("js", target))); err != nil {
				t.Errorf("%s imports %s, which does not exist", name, target)
			}
		}
		// node checks module syntax only for .mjs files.
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(name)+".mjs"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIPPED: node not installed; JavaScript syntax not checked")
	}
	for _, name := range files {
		out, err := exec.Command(node, "--check", filepath.Join(dir, filepath.Base(name)+".mjs")).CombinedOutput()
		if err != nil {
			t.Errorf("node --check %s: %v\n%s", name, err, out)
		}
	}
}
