package diskcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTrim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	put := func(rel string, size int, age time.Duration) string {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldest := put("a/1", 100, 4*time.Hour)
	kept := put("a/2", 100, 3*time.Hour)
	older := put("b/3", 100, 2*time.Hour)
	newest := put("b/4", 100, time.Hour)
	staleTmp := put("a/.part-1", 50, 3*time.Hour)
	freshTmp := put("b/.part-2", 50, time.Minute)

	res, err := Trim([]string{filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "missing")}, 200, 2*time.Hour,
		func(e Entry) bool { return e.Path == kept })
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Files: 4, Removed: 2, Bytes: 400, Freed: 200}) {
		t.Errorf("result %+v", res)
	}
	for p, want := range map[string]bool{oldest: false, kept: true, older: false, newest: true, staleTmp: false, freshTmp: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: there %v, want %v", filepath.Base(p), err == nil, want)
		}
	}

	// Under the bound nothing is removed; stale <= 0 leaves writes in progress alone.
	old := put("c/.part-3", 10, 10*time.Hour)
	if res, err := Trim([]string{dir}, 1000, 0, nil); err != nil || res.Removed != 0 || res.Bytes != 200 {
		t.Errorf("under the bound: %+v, %v", res, err)
	}
	if _, err := os.Stat(old); err != nil {
		t.Errorf("stale <= 0 removed a write in progress: %v", err)
	}
}
