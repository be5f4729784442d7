package app_test

import (
	"bytes"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// chunked posts files (and fields, before them) as multipart with no Content-Length: the
// body streams in chunks, as curl -H 'Transfer-Encoding: chunked' sends it.
func (c *client) chunked(path, field string, files map[string][]byte, fields map[string]string) resp {
	c.t.Helper()
	r, _ := c.chunkedSent(path, field, files, fields)
	return r
}

// chunkedSent is chunked, also telling how many bytes of the body the server took before
// it answered.
func (c *client) chunkedSent(path, field string, files map[string][]byte, fields map[string]string) (resp, int64) {
	c.t.Helper()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() { // written as it is sent: the body is never whole in memory
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		for name, b := range files {
			part, _ := w.CreateFormFile(field, name)
			if _, err := part.Write(b); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Close())
	}()
	sent := &countingReader{r: pr}
	req, err := http.NewRequest(http.MethodPost, c.base+path, sent) // an unknown length
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range c.hdr {
		req.Header[k] = v
	}
	if req.ContentLength != 0 || len(req.TransferEncoding) != 0 {
		c.t.Fatalf("the request would carry a length: %d %v", req.ContentLength, req.TransferEncoding)
	}
	res, err := http.DefaultClient.Do(req)
	pr.Close()
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}, sent.n.Load()
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// leftovers lists the files of the data directory's projects and tmp: what an upload left.
func leftovers(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	for _, d := range []string{"projects", "tmp"} {
		_ = filepath.WalkDir(filepath.Join(dataDir, d), func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

func noLeftovers(t *testing.T, dataDir, what string) {
	t.Helper()
	if left := leftovers(t, dataDir); len(left) > 0 {
		t.Fatalf("%s left files behind: %v", what, left)
	}
}

// noisePicture is a PNG of noise, about 1 MB: it does not compress.
func noisePicture(t *testing.T) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "noise.png")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
		"nullsrc=s=1024x720,format=rgb24,geq=r='random(1)*255':g='random(2)*255':b='random(3)*255'", "-frames:v", "1", p).CombinedOutput(); err != nil {
		t.Fatalf("noise picture: %v %s", err, out)
	}
	return mustRead(t, p)
}

// TestChunkedBodiesMeetQuotaAndLimits: a body streamed without a Content-Length is held to the
// key's storage quota, the per-file limit and the disk's reserve as it arrives, on the
// picture and music routes alike, and nothing of a refused upload stays on disk.
func TestChunkedBodiesMeetQuotaAndLimits(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	var dataDir string
	base, adm := startPrograms(t, func(cfg *config.Config) {
		cfg.RateLimits.Enabled = false
		cfg.Limits.FileBytes = 2 * config.MiB
		dataDir = cfg.DataDir
	})
	pic := noisePicture(t)
	song := mustRead(t, testutil.Tone(t, t.TempDir(), "song.wav", 13)) // 1.1 MB
	if len(pic) < 1_000_000 || len(song) < 1_000_000 {
		t.Fatalf("test files too small: %d and %d bytes", len(pic), len(song))
	}

	key := adm.newKey(map[string]any{"name": "quota", "storage_bytes": 1_000_000})
	kc := key.as(t, base)
	pid := kc.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)

	// With a Content-Length: refused before a byte is read (as before).
	r := kc.upload("/api/v1/projects/"+pid+"/images", "images", []string{writeTemp(t, "noise.png", pic)}, nil)
	wantError(t, r, http.StatusTooManyRequests, "quota_exceeded")
	// Streamed: refused as the bytes pass the quota.
	for _, tc := range []struct{ path, field, name string }{
		{"/api/v1/projects/" + pid + "/images", "images", "noise.png"},
		{"/api/v1/projects/" + pid + "/music", "audio", "song.wav"},
		{"/upload_images", "images", "noise.png"},
	} {
		body := pic
		if tc.field == "audio" {
			body = song
		}
		r := kc.chunked(tc.path, tc.field, map[string][]byte{tc.name: body}, nil)
		if strings.HasPrefix(tc.path, "/api/") {
			msg := wantError(t, r, http.StatusTooManyRequests, "quota_exceeded")
			if !strings.Contains(msg, "storage quota of 976.6 KiB") {
				t.Fatalf("%s: the message does not name the quota: %s", tc.path, msg)
			}
		} else if r.Status != http.StatusTooManyRequests || !strings.Contains(string(r.Body), "storage quota") {
			t.Fatalf("%s: %d %s", tc.path, r.Status, r.Body)
		}
		noLeftovers(t, dataDir, tc.path)
	}
	if p := kc.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t); len(p["slides"].([]any)) != 0 || p["music"] != nil {
		t.Fatalf("the project changed: %v", p)
	}

	// The per-file limit (2 MiB here) while streaming, without a key.
	anon := &client{t: t, base: base}
	apid := anon.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	huge := bytes.Repeat(pic, 3)
	r = anon.chunked("/api/v1/projects/"+apid+"/images", "images", map[string][]byte{"huge.png": huge}, nil)
	if msg := wantError(t, r, http.StatusRequestEntityTooLarge, "too_large"); !strings.Contains(msg, "huge.png is larger than the 2 MiB limit") {
		t.Fatalf("per-file limit: %s", msg)
	}
	noLeftovers(t, dataDir, "a file over the per-file limit")
}

// TestStreamedUploadKeepsDiskReserve: an upload that would take the disk below
// limits.min_free_disk is refused as it streams, before it writes past the reserve, not
// after; what it wrote goes again.
func TestStreamedUploadKeepsDiskReserve(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	var dataDir string
	var reserve uint64
	base, _ := startPrograms(t, func(cfg *config.Config) {
		cfg.RateLimits.Enabled = false
		// A tmpfs, if there is one: the build and test work beside this test shares the
		// main disk and moves its free space by megabytes a second.
		if d, err := os.MkdirTemp("/dev/shm", "simvid-reserve-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			cfg.DataDir = d
		}
		dataDir = cfg.DataDir
		// Room for about 16 MiB: the request below brings 3 files of 24 MiB.
		reserve = freeBytes(t, dataDir) - 16<<20
		cfg.Limits.MinFreeDisk = config.Size(reserve)
	})
	c := &client{t: t, base: base}
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	files := map[string][]byte{}
	for _, n := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		files[n] = bytes.Repeat([]byte{n[0]}, 24<<20)
	}
	// The disk is shared with other work: what room the upload finds is measured now.
	free := freeBytes(t, dataDir)
	if free < reserve || free-reserve > 40<<20 {
		t.Skipf("the disk's free space moved by %d MiB since the start: cannot test its reserve now", (int64(free)-int64(reserve+16<<20))>>20)
	}
	room := int64(free - reserve)
	r, sent := c.chunkedSent("/api/v1/projects/"+pid+"/images", "images", files, nil)
	wantError(t, r, http.StatusInsufficientStorage, "insufficient_storage")
	// Refused as it streamed: the server stopped reading near the reserve (plus what the
	// sockets buffer), not after taking all 72 MiB and checking the disk then.
	t.Logf("the server took %.1f MiB of the 72 MiB body, with %.1f MiB of room", float64(sent)/(1<<20), float64(room)/(1<<20))
	if sent > room+16<<20 {
		t.Fatalf("the server read %d MiB with %d MiB of room before refusing: the reserve was checked after writing", sent>>20, room>>20)
	}
	noLeftovers(t, dataDir, "an upload past the disk's reserve")
}

func freeBytes(t *testing.T, dir string) uint64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Bavail * uint64(st.Bsize)
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
