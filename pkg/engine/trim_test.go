package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The cache is trimmed to its cap, oldest use first, sparing kept keys, recent files, and
// removing only stale temp files.
func TestTrimCache(t *testing.T) {
	dir := t.TempDir()
	e := New(nil, filepath.Join(dir, "cache"), filepath.Join(dir, "tmp"), nil)
	write := func(path string, size int, age time.Duration) string {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		_ = os.Chtimes(path, at, at)
		return path
	}
	oldest := write(e.SegmentPath("aaa"), 100, 5*time.Hour)
	kept := write(e.StillPath("bbb"), 100, 4*time.Hour)
	older := write(e.AudioPath("ccc"), 100, 3*time.Hour)
	newer := write(e.SegmentPath("ddd"), 100, 2*time.Hour)
	recent := write(e.SegmentPath("eee"), 100, 10*time.Second)
	staleTmp := write(filepath.Join(dir, "cache", "segments", ".x.mp4.tmp-1"), 10, 2*time.Hour)
	freshTmp := write(filepath.Join(dir, "cache", "segments", ".y.mp4.tmp-2"), 10, time.Minute)
	// The folder of a run of segments (encodeRun) whose process crashed, and one still being
	// written (its folder old, its latest file new): neither counts as cache entries.
	staleRun := filepath.Dir(write(filepath.Join(dir, "cache", "segments", ".run-1", "0.mp4"), 100, 2*time.Hour))
	liveRun := filepath.Join(dir, "cache", "segments", ".run-2")
	liveFile := write(filepath.Join(liveRun, "1.mp4"), 100, time.Minute)
	for _, d := range []string{staleRun, liveRun} {
		at := time.Now().Add(-2 * time.Hour)
		_ = os.Chtimes(d, at, at)
	}

	res, err := e.TrimCache(250, func(k string) bool { return k == "bbb" })
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 5 || res.Bytes != 500 || res.Removed != 3 || res.Freed != 300 {
		t.Fatalf("result %+v", res)
	}
	for p, want := range map[string]bool{oldest: false, kept: true, older: false, newer: false, recent: true, staleTmp: false, freshTmp: true,
		staleRun: false, liveFile: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
