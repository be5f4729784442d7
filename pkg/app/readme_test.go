package app_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
	"github.com/simvid/simvid/pkg/webhook"
)

// docBlocks returns the sh code blocks of a Markdown file of the repository (a path from its
// root), in order: of its section titled title, or of the whole file when title is empty.
func docBlocks(t *testing.T, path, title string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(b)
	if title != "" {
		var ok bool
		if _, sec, ok = strings.Cut(sec, "\n## "+title+"\n"); !ok {
			t.Fatalf("%s has no section %q", path, title)
		}
		sec, _, _ = strings.Cut(sec, "\n## ")
	}
	var blocks []string
	for {
		_, rest, ok := strings.Cut(sec, "```sh\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(rest, "```")
		blocks, sec = append(blocks, block), after
	}
}

// runGuide runs sh blocks as one bash script in dir and returns what it printed.
func runGuide(t *testing.T, dir string, env []string, blocks []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", strings.Join(blocks, "\n"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("guide output:\n%s", out)
	if err != nil {
		t.Fatalf("the guide failed: %v", err)
	}
	return string(out)
}

// TestReadmeFirstRender runs the README's first API calls, as written, against a real
// server in place of `make run`'s localhost:8080: a project, two pictures, a song, a render
// followed on its event stream to the end, and the download.
func TestReadmeFirstRender(t *testing.T) {
	testutil.Need(t, "bash", "curl", "jq")
	blocks := docBlocks(t, "README.md", "API")
	if len(blocks) != 1 || strings.Count(blocks[0], "localhost:8080") < 6 {
		t.Fatalf("the README's API section should hold one sh block against localhost:8080: %q", blocks)
	}
	dir := t.TempDir()
	base, _ := startPrograms(t, nil)
	testutil.Image(t, dir, "a.jpg", 320, 240, "red")
	testutil.Image(t, dir, "b.png", 240, 320, "blue")
	testutil.Tone(t, dir, "song.mp3", 2)
	script := strings.ReplaceAll(blocks[0], "localhost:8080", strings.TrimPrefix(base, "http://"))
	out := runGuide(t, dir, nil, []string{script})
	if !strings.Contains(out, `"state":"done"`) {
		t.Fatalf("the event stream did not end with a done render")
	}
	p := testutil.Probe(t, filepath.Join(dir, "out.mp4"))
	if p.Video() == nil || p.Audio() == nil {
		t.Fatalf("out.mp4 lacks video or audio: %+v", p.Streams)
	}
	if d := p.Duration(); d < 5.9 || d > 6.2 {
		t.Fatalf("out.mp4 lasts %.2f s, want 6 (two slides of the default 3 s)", d)
	}
}

// TestDocsAPIGuide runs the commands of docs/programs.md, as written, against a real
// server: make a key, upload, render in one call with a retried Idempotency-Key, wait,
// download, and verify the webhook's signature with openssl.
func TestDocsAPIGuide(t *testing.T) {
	testutil.Need(t, "bash", "curl", "jq", "openssl")
	blocks := docBlocks(t, "docs/programs.md", "")
	if len(blocks) < 4 {
		t.Fatalf("only %d sh blocks in the guide", len(blocks))
	}
	dir := t.TempDir()
	hook := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig := r.Header.Get(webhook.Header)
		_ = os.WriteFile(filepath.Join(dir, "body.json"), body, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "sig.txt"), []byte(sig), 0o644)
	})
	base, _ := startPrograms(t, nil)
	testutil.Image(t, dir, "a.jpg", 320, 240, "red")
	testutil.Image(t, dir, "b.png", 240, 320, "blue")
	testutil.Tone(t, dir, "song.mp3", 2)

	out := runGuide(t, dir, []string{"SIMVID=" + base, "SIMVID_ADMIN_PASSWORD=" + adminPassword, "HOOK=" + hook + "/simvid"}, blocks)
	if !strings.Contains(out, "signature verified") || !strings.Contains(out, `"state":"done"`) {
		t.Fatalf("the guide did not end as it says")
	}
	p := testutil.Probe(t, filepath.Join(dir, "out.mp4"))
	if d := p.Duration(); d < 2.9 || d > 3.2 {
		t.Fatalf("out.mp4 lasts %.2f s, want 3", d)
	}
}
