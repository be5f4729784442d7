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

// readmeSection returns the sh code blocks of a README section, in order.
func readmeSection(t *testing.T, title string) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("README has no section %q", title)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
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

// TestReadmeAPIGuide runs the README's "API for programs" commands, as written, against a
// real server: make a key, upload, render in one call with a retried Idempotency-Key, wait,
// download, and verify the webhook's signature with openssl.
func TestReadmeAPIGuide(t *testing.T) {
	testutil.Need(t, "bash", "curl", "jq", "openssl")
	blocks := readmeSection(t, "API for programs")
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

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", strings.Join(blocks, "\n"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIMVID="+base, "SIMVID_ADMIN_PASSWORD="+adminPassword, "HOOK="+hook+"/simvid")
	out, err := cmd.CombinedOutput()
	t.Logf("guide output:\n%s", out)
	if err != nil {
		t.Fatalf("the guide failed: %v", err)
	}
	if !strings.Contains(string(out), "signature verified") || !strings.Contains(string(out), `"state":"done"`) {
		t.Fatalf("the guide did not end as it says")
	}
	p := testutil.Probe(t, filepath.Join(dir, "out.mp4"))
	if d := p.Duration(); d < 2.9 || d > 3.2 {
		t.Fatalf("out.mp4 lasts %.2f s, want 3", d)
	}
}
