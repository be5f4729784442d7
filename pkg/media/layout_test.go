package media

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

func TestStorePaths(t *testing.T) {
	root := t.TempDir()
	st, err := NewFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"projects", "cache", "tmp"} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s/ missing: %v", d, err)
		}
	}
	pid, img, aud, rnd := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixImage),
		simvid.NewID(simvid.PrefixAudio), simvid.NewID(simvid.PrefixRender)
	type pathFn func(string, string) (string, error)
	good := []struct {
		fn   pathFn
		id   string
		want string
	}{
		{st.Original, img, "projects/" + pid + "/originals/" + img},
		{st.Original, aud, "projects/" + pid + "/originals/" + aud},
		{st.Thumbnail, img, "projects/" + pid + "/thumbs/" + img + ".jpg"},
		{st.AudioWork, aud, "projects/" + pid + "/audio/" + aud + ".flac"},
		{st.RenderVideo, rnd, "projects/" + pid + "/renders/" + rnd + ".mp4"},
		{st.RenderPoster, rnd, "projects/" + pid + "/renders/" + rnd + ".jpg"},
	}
	for _, g := range good {
		got, err := g.fn(pid, g.id)
		if err != nil || got != filepath.Join(root, g.want) {
			t.Errorf("path = %q, %v; want %s", got, err, g.want)
		}
	}
	bad := []string{"../x", "", "img_../../../../etc/passwd", img + "/..", strings.Replace(img, "img_", "prj_", 1), pid}
	for _, fn := range []pathFn{st.Original, st.Thumbnail, st.AudioWork, st.RenderVideo, st.RenderPoster} {
		for _, id := range bad {
			if p, err := fn(pid, id); err == nil {
				t.Errorf("id %q gave path %q", id, p)
			}
			if strings.HasPrefix(id, "prj_") {
				continue // a valid project id, the wrong kind for an asset
			}
			if p, err := fn(id, img); err == nil {
				t.Errorf("project %q gave path %q", id, p)
			}
		}
	}
	if _, err := st.AudioWork(pid, img); err == nil {
		t.Error("AudioWork took an image id")
	}
	if _, err := st.DeleteProject("../x"); err == nil {
		t.Error("DeleteProject took ../x")
	}
	if err := st.DeleteAsset(pid, "../x"); err == nil {
		t.Error("DeleteAsset took ../x")
	}
	if n, err := st.Free(); err != nil || n == 0 {
		t.Errorf("Free = %d, %v", n, err)
	}
}

func TestStoreCommitDeleteSweep(t *testing.T) {
	st, err := NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pid, img := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixImage)
	put := func(dst string, size int) {
		f, err := st.CreateTemp("t-*")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(make([]byte, size)); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		if err := st.Commit(context.Background(), f.Name(), dst); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
			t.Error("temp file still there after Commit")
		}
	}
	orig, _ := st.Original(pid, img)
	thumb, _ := st.Thumbnail(pid, img)
	video, _ := st.RenderVideo(pid, simvid.NewID(simvid.PrefixRender))
	put(orig, 1000)
	put(orig, 1500) // replaces
	put(thumb, 200)
	put(video, 3000)
	if err := st.DeleteAsset(pid, img); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{orig, thumb} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived DeleteAsset", p)
		}
	}
	put(orig, 1500)
	freed, err := st.DeleteProject(pid)
	if err != nil || freed != 4500 {
		t.Errorf("DeleteProject freed %d, %v; want 4500", freed, err)
	}
	if dir, _ := st.ProjectDir(pid); dirExists(dir) {
		t.Error("project dir survived")
	}
	if freed, err := st.DeleteProject(pid); err != nil || freed != 0 {
		t.Errorf("second DeleteProject = %d, %v", freed, err)
	}

	old, _ := st.CreateTemp("old-*")
	_ = old.Close()
	oldDir, _ := st.MkdirTemp("olddir-*")
	fresh, _ := st.CreateTemp("fresh-*")
	_ = fresh.Close()
	past := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old.Name(), oldDir} {
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SweepTemp(TempMaxAge); err != nil {
		t.Fatal(err)
	}
	if dirExists(old.Name()) || dirExists(oldDir) || !dirExists(fresh.Name()) {
		t.Error("SweepTemp removed the wrong entries")
	}
}

func dirExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
