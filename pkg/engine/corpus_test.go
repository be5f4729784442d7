package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCorpusRender renders the benchmark corpus (bench/corpus.sh) like bench/reference.sh
// does, when SIMVID_CORPUS names it: a manual check of speed on real pictures.
func TestCorpusRender(t *testing.T) {
	dir := os.Getenv("SIMVID_CORPUS")
	if dir == "" {
		t.Skip("set SIMVID_CORPUS to a corpus made by bench/corpus.sh to run this")
	}
	k := newKit(t)
	s := k.show("1920x1080", "standard")
	pics, _ := filepath.Glob(dir + "/images/[01][0-9].*")
	for _, p := range pics[:12] {
		s.slide(p, 3, "contain", 1)
	}
	k.ffmpeg("-v", "error", "-i", dir+"/music.mp3", "-ac", "2", "-ar", "48000", "-sample_fmt", "s16", "-c:a", "flac", k.dir+"/m.flac")
	s.withMusic(k.dir+"/m.flac", 40, "loop", nil)
	plan := s.plan()
	s.job.Parallel = 2
	start := time.Now()
	res, _ := s.run(context.Background())
	t.Logf("first run %s %+v", time.Since(start), res)
	checkVideo(t, k, s.job.Output, plan, true)
	start = time.Now()
	res, _ = s.run(context.Background())
	t.Logf("second run %s cached %d", time.Since(start), res.Cached)
}
