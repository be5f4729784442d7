package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// simvid render decodes each picture once, straight to the still its slide is rendered
// from, and makes no thumbnail (nobody sees one): the engine finds every still in the cache
// and reads no picture again. A damaged picture is still refused by name.
func TestRenderDecodesEachPictureOnce(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	pics := []string{testutil.Image(t, dir, "a.jpg", 320, 240, "red"), testutil.Image(t, dir, "b.png", 240, 320, "blue"),
		testutil.Image(t, dir, "c.webp", 320, 200, "green")}
	// An ffmpeg first on PATH that notes every run's arguments.
	bin, runs := testutil.LoggingFFmpeg(t)
	t.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cache := filepath.Join(dir, "cache")
	outFile := filepath.Join(dir, "out.mp4")
	args := append(append([]string{"render"}, pics...), "--resolution", "640x480", "--duration", "1",
		"--transition", "fade", "--transition-duration", "0.5", "--quality", "draft", "--cache-dir", cache, "-o", outFile)
	if out, err := run(t, args...); err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	if v := testutil.Probe(t, outFile).Video(); v == nil || v.Frames() != 90 {
		t.Fatalf("video: %+v", v)
	}
	// A picture is read from its upload (intake) or its stored original (the engine).
	decodes := 0
	for _, line := range runs() {
		f := strings.Fields(line)
		for i := range f[:len(f)-1] {
			if f[i] == "-i" && (strings.Contains(f[i+1], "/upload-") || strings.Contains(f[i+1], "/originals/")) {
				decodes++
			}
		}
	}
	if decodes != len(pics) {
		t.Errorf("ffmpeg decoded pictures %d times, want %d (once each):\n%s", decodes, len(pics), strings.Join(runs(), "\n"))
	}
	thumbs, _ := filepath.Glob(filepath.Join(cache, "projects", "*", "thumbs", "*"))
	if len(thumbs) != 0 {
		t.Errorf("thumbnails made: %v", thumbs)
	}

	// A cut-off JPEG among good pictures is refused, named, as before.
	good, _ := os.ReadFile(pics[0])
	bad := filepath.Join(dir, "broken.jpg")
	if err := os.WriteFile(bad, good[:len(good)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, "render", pics[1], bad, pics[2], "--resolution", "640x480", "--duration", "1", "-o", outFile)
	if err == nil || !strings.Contains(err.Error(), "broken.jpg is damaged") {
		t.Fatalf("damaged picture: %v, want it refused by name", err)
	}
}
