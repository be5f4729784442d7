package faults

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// tmpfs mounts a tmpfs of size bytes on a new directory, unmounted at cleanup.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "simvid-faults-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		os.Remove(dir)
		testutil.Missing(t, fmt.Sprintf("cannot mount a %s tmpfs (needs root): %v %s", size, err, strings.TrimSpace(string(out))))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
		os.Remove(dir)
	})
	return dir
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// fill grows the ballast file in dir until about left bytes are free.
func fill(t *testing.T, dir string, left int64) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "ballast"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if grow := freeBytes(t, dir) - left; grow > 0 {
		if err := syscall.Fallocate(int(f.Fd()), 0, st.Size(), grow); err != nil {
			t.Fatalf("fallocate %d bytes: %v", grow, err)
		}
	}
}

// TestDiskNearlyFull runs on a 40 MB tmpfs data directory with limits.min_free_disk 10 MiB.
// Below it uploads are refused with 507; a render that runs out of space fails with a
// message; the project, its pictures and an earlier video stay intact; freeing space
// brings everything back.
func TestDiskNearlyFull(t *testing.T) {
	binary(t) // build before the clock runs and before mounting
	data := tmpfs(t, "40m")
	c := newCluster(t, data, "SIMVID_LIMITS_MIN_FREE_DISK=10MiB", "SIMVID_JOBS_MAX_ATTEMPTS=2", "SIMVID_JOBS_DISK_WAIT=5s")
	web := c.Serve("serve")
	c.Work("work")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	api := bench.NewClient(web.URL)
	s := show{n: 3, w: 640, h: 480, secs: 2, res: "640x480"}
	id := project(t, ctx, web.URL, s)
	first, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitRender(ctx, first.ID, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	video := call(http.MethodGet, web.URL+"/api/v1/renders/"+first.ID+"/video", nil, "")
	sum := sha256.Sum256([]byte(video.Body))
	t.Logf("before: render %s done, %d bytes of video; %d MB free", first.ID, len(video.Body), freeBytes(t, data)>>20)

	fill(t, data, 6<<20)
	t.Logf("tried: filled the data directory to %d KB free (limit 10 MiB), then uploaded a picture", freeBytes(t, data)>>10)
	pic := testutil.Image(t, t.TempDir(), "late.png", 640, 480, "white")
	body, ctype := multipartBody(t, "images", pic)
	up := call(http.MethodPost, web.URL+"/api/v1/projects/"+id+"/images", body, ctype)
	code, msg, ok := errorJSON(up.Body)
	t.Logf("saw: %d %s", up.Status, up.Body)
	if up.Status != http.StatusInsufficientStorage || !ok || code != "insufficient_storage" || !strings.Contains(msg, "storage") {
		t.Fatalf("upload on a nearly full disk answered %d %s; want 507 insufficient_storage with a message about storage", up.Status, up.Body)
	}
	ready := call(http.MethodGet, web.URL+"/readyz", nil, "")
	t.Logf("saw: /readyz %d %s", ready.Status, ready.Body)

	// A render of a new size needs new stills and segments: leave it no room for them.
	if _, err := api.PatchSettings(ctx, id, map[string]any{"output": map[string]any{"resolution": "1920x1080"}}); err != nil {
		t.Fatal(err)
	}
	fill(t, data, 64<<10)
	second, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tried: render %s at 1920x1080 with %d KB free", second.ID, freeBytes(t, data)>>10)
	got, err := api.WaitRender(ctx, second.ID, 100*time.Millisecond)
	if got == nil || got.State != "failed" || got.Error == "" {
		t.Fatalf("render on a full disk: %+v, %v; want failed with a message", got, err)
	}
	t.Logf("saw: render %s failed: %q", second.ID, got.Error)
	if v := call(http.MethodGet, web.URL+"/api/v1/renders/"+second.ID+"/video", nil, ""); v.Status == http.StatusOK {
		t.Errorf("the failed render serves a video (%d bytes)", len(v.Body))
	}

	// Nothing corrupt: the project loads with its pictures, the first video is unchanged.
	p, err := api.GetProject(ctx, id)
	if err != nil || len(p.Slides) != s.n {
		t.Fatalf("project after the full disk: %+v, %v; want its %d slides", p, err, s.n)
	}
	for _, sl := range p.Slides {
		th := call(http.MethodGet, web.URL+"/api/v1/projects/"+id+"/images/"+sl.Asset+"/thumbnail", nil, "")
		if th.Status != http.StatusOK || len(th.Body) == 0 {
			t.Errorf("thumbnail of %s: %d", sl.Filename, th.Status)
		}
	}
	again := call(http.MethodGet, web.URL+"/api/v1/renders/"+first.ID+"/video", nil, "")
	if sha256.Sum256([]byte(again.Body)) != sum {
		t.Fatalf("the earlier video changed on the full disk (%d bytes now)", len(again.Body))
	}
	t.Logf("saw: project loads with %d slides and thumbnails; render %s's video is byte-identical", len(p.Slides), first.ID)

	if err := os.Remove(filepath.Join(data, "ballast")); err != nil {
		t.Fatal(err)
	}
	body, ctype = multipartBody(t, "images", pic)
	up = call(http.MethodPost, web.URL+"/api/v1/projects/"+id+"/images", body, ctype)
	if up.Status != http.StatusOK {
		t.Fatalf("upload after freeing space: %d %s", up.Status, up.Body)
	}
	third, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitRender(ctx, third.ID, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	t.Logf("saw after freeing space: upload 200, render %s done", third.ID)
	checkDownload(t, ctx, web.URL, third.ID, show{n: s.n + 1, secs: s.secs, res: "1920x1080"})
}
