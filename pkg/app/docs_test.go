package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README is what a person reads first; internals, measurements and operations live in
// docs/, each file reachable from it.
const readmeMaxBytes = 12 * 1000

func TestReadmeIsShortAndLinksTheDocs(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= readmeMaxBytes {
		t.Errorf("README.md is %d bytes, want under %d: move details to docs/", len(b), readmeMaxBytes)
	}
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	for _, d := range docs {
		if link := "docs/" + filepath.Base(d); !strings.Contains(string(b), "]("+link+")") {
			t.Errorf("README.md does not link %s", link)
		}
	}
}

var (
	mdLink  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdFence = regexp.MustCompile("(?s)```.*?```")
)

// TestDocLinks follows every relative link of README.md and docs/*.md: the file must exist
// and, when the link names a heading (#anchor), the heading too, so text moved between the
// files leaves no dead link behind.
func TestDocLinks(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := mdFence.ReplaceAllString(string(b), "")
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			if path == "" {
				path = filepath.Base(f)
			}
			full := filepath.Join(filepath.Dir(f), path)
			tb, err := os.ReadFile(full)
			if err != nil {
				t.Errorf("%s links %s: %v", filepath.Base(f), target, err)
				continue
			}
			if anchor != "" && !hasHeading(string(tb), anchor) {
				t.Errorf("%s links %s: %s has no heading %q", filepath.Base(f), target, path, anchor)
			}
		}
	}
}

// hasHeading reports whether a Markdown text has a heading whose GitHub anchor is anchor.
func hasHeading(text, anchor string) bool {
	for _, line := range strings.Split(text, "\n") {
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var slug strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				slug.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				slug.WriteRune(r)
			}
		}
		if slug.String() == anchor {
			return true
		}
	}
	return false
}
