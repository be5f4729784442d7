package media

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestKeys: an object key is the path under the data directory, and only files of
// projects/ and cache/ have one (no temp file, nothing outside the directory).
func TestKeys(t *testing.T) {
	root := t.TempDir()
	st, err := NewFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	pid, aid := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixImage)
	thumb, _ := st.Thumbnail(pid, aid)
	for path, want := range map[string]string{
		thumb: "projects/" + pid + "/thumbs/" + aid + ".jpg",
		filepath.Join(st.CacheDir(), "segments", "k.mp4"): "cache/segments/k.mp4",
	} {
		if got, err := st.Key(path); err != nil || got != want {
			t.Errorf("Key(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{
		filepath.Join(st.TmpDir(), "upload-1"), root, filepath.Join(root, "projects"),
		filepath.Join(filepath.Dir(root), "elsewhere", "projects", "x"), filepath.Join(root, "simvid.db"),
	} {
		if k, err := st.Key(path); err == nil {
			t.Errorf("Key(%s) = %q; want an error", path, k)
		}
	}
}

// TestNoStoreUnchanged: without a store, Files behaves as the data directory alone: Local
// returns the path as it is, Upload and DropLocal leave the file, nothing is Shared.
func TestNoStoreUnchanged(t *testing.T) {
	st, err := NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pid, rid := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixRender)
	out, _ := st.RenderVideo(pid, rid)
	tmp, _ := st.CreateTemp("v-*")
	tmp.Close()
	if err := st.Commit(context.Background(), tmp.Name(), out); err != nil {
		t.Fatal(err)
	}
	if p, err := st.Local(context.Background(), out); err != nil || p != out {
		t.Fatalf("Local: %q, %v", p, err)
	}
	if err := st.Upload(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	st.DropLocal(out)
	if _, err := os.Stat(out); err != nil {
		t.Fatal("DropLocal removed the only copy")
	}
	if st.Shared() {
		t.Fatal("Files without a store says it is shared")
	}
}
