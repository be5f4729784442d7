package objstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/testutil"
)

// open starts a real versitygw and opens a bucket on it under prefix.
func open(t *testing.T, prefix string) (*objstore.Bucket, *testutil.S3) {
	t.Helper()
	s3 := testutil.StartS3(t)
	return openOn(t, s3, prefix, s3.SecretKey), s3
}

func openOn(t *testing.T, s3 *testutil.S3, prefix, secret string) *objstore.Bucket {
	t.Helper()
	return objstoretest.OpenWith(t, s3, prefix, secret)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	b, s3 := open(t, "tenant/a")
	ctx, dir := ctxT(t), t.TempDir()
	data := bytes.Repeat([]byte("simvid-"), 100_000) // 700 kB
	src := writeFile(t, dir, "src.bin", data)
	if err := b.PutFile(ctx, "renders/r1/out.mp4", src, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	// Stored under the prefix, in the real bucket.
	if _, err := s3.Client(t).StatObject(ctx, s3.Bucket, "tenant/a/renders/r1/out.mp4", minio.StatObjectOptions{}); err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
	info, err := b.Stat(ctx, "renders/r1/out.mp4")
	if err != nil || info.Size != int64(len(data)) || info.ContentType != "video/mp4" || info.Key != "renders/r1/out.mp4" {
		t.Fatalf("stat: %+v %v", info, err)
	}
	dst := filepath.Join(dir, "sub", "got.mp4")
	if err := b.Get(ctx, "renders/r1/out.mp4", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(got), len(data))
	}
	// Unknown length: streamed in parts.
	if err := b.Put(ctx, "stream.bin", io.MultiReader(bytes.NewReader(data), strings.NewReader("end")), -1, ""); err != nil {
		t.Fatal(err)
	}
	rc, info, err := b.Open(ctx, "stream.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, append(append([]byte{}, data...), "end"...)) || info.Size != int64(len(data)+3) {
		t.Fatalf("open: %d bytes, info %+v", len(got), info)
	}
	rc, info, err = b.OpenRange(ctx, "stream.bin", int64(len(data)), 3)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if string(got) != "end" || info.Size != int64(len(data)+3) {
		t.Fatalf("range read %q, info size %d", got, info.Size)
	}
	up, down := b.Stats()
	if up != int64(2*len(data)+3) || down != int64(2*len(data)+3+3) {
		t.Fatalf("stats up %d down %d", up, down)
	}
	// No temporary file left beside the download.
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Fatalf("download directory holds %d entries, want only the file", len(entries))
	}
}

func TestNotFound(t *testing.T) {
	b, _ := open(t, "")
	ctx, dir := ctxT(t), t.TempDir()
	if _, err := b.Stat(ctx, "nope"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("stat: %v", err)
	}
	dst := filepath.Join(dir, "x")
	if err := b.Get(ctx, "nope", dst); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("get: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed get left %d files", len(entries))
	}
	if _, _, err := b.Open(ctx, "nope"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("open: %v", err)
	}
	if err := b.Delete(ctx, "nope"); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
}

func TestPutFileOnce(t *testing.T) {
	b, _ := open(t, "p")
	ctx, dir := ctxT(t), t.TempDir()
	first := writeFile(t, dir, "1", []byte("first"))
	second := writeFile(t, dir, "2", []byte("second, longer"))
	wrote, err := b.PutFileOnce(ctx, "segments/abc.mp4", first, "video/mp4")
	if err != nil || !wrote {
		t.Fatalf("first write: %v %v", wrote, err)
	}
	wrote, err = b.PutFileOnce(ctx, "segments/abc.mp4", second, "video/mp4")
	if err != nil || wrote {
		t.Fatalf("second write: wrote=%v err=%v", wrote, err)
	}
	rc, _, err := b.Open(ctx, "segments/abc.mp4")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "first" {
		t.Fatalf("object overwritten: %q", got)
	}
	if up, _ := b.Stats(); up != 5 {
		t.Fatalf("uploaded %d bytes, want 5 (the second write skipped)", up)
	}
}

func TestListAndDeletePrefix(t *testing.T) {
	b, s3 := open(t, "pre")
	ctx := ctxT(t)
	keys := []string{"projects/p1/a.jpg", "projects/p1/b.jpg", "projects/p1/thumbs/a.jpg", "projects/p10/a.jpg", "projects/p2/a.jpg"}
	for _, k := range keys {
		if err := b.Put(ctx, k, strings.NewReader(k), int64(len(k)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	// Another prefix in the same bucket is not ours.
	other := openOn(t, s3, "other", s3.SecretKey)
	if err := other.Put(ctx, "projects/p1/a.jpg", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	list := func(prefix string) []string {
		var got []string
		if err := b.List(ctx, prefix, func(i objstore.Info) error {
			if i.Size != int64(len(i.Key)) {
				t.Errorf("%s: size %d", i.Key, i.Size)
			}
			got = append(got, i.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		return got
	}
	if got := strings.Join(list(""), ","); got != strings.Join(keys, ",") {
		t.Fatalf("list all: %s", got)
	}
	if got := strings.Join(list("projects/p1/"), ","); got != "projects/p1/a.jpg,projects/p1/b.jpg,projects/p1/thumbs/a.jpg" {
		t.Fatalf("list p1/: %s", got)
	}
	stop := errors.New("stop")
	n := 0
	if err := b.List(ctx, "", func(objstore.Info) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("stopping a listing: %v after %d", err, n)
	}
	gone, err := b.DeletePrefix(ctx, "projects/p1/")
	if err != nil || gone != 3 {
		t.Fatalf("delete prefix: %d %v", gone, err)
	}
	if got := strings.Join(list(""), ","); got != "projects/p10/a.jpg,projects/p2/a.jpg" {
		t.Fatalf("after delete: %s", got)
	}
	if _, err := other.Stat(ctx, "projects/p1/a.jpg"); err != nil {
		t.Fatalf("the other prefix lost its object: %v", err)
	}
	if _, err := b.DeletePrefix(ctx, ""); err == nil {
		t.Fatal("an empty prefix was accepted")
	}
	if _, err := b.DeletePrefix(ctx, "../other/"); err == nil {
		t.Fatal("a prefix with .. was accepted")
	}
}

func TestPresignGet(t *testing.T) {
	b, _ := open(t, "pre")
	ctx := ctxT(t)
	data := []byte("0123456789abcdefghij")
	if err := b.Put(ctx, "out/video.mp4", bytes.NewReader(data), int64(len(data)), "video/mp4"); err != nil {
		t.Fatal(err)
	}
	u, err := b.PresignGet(ctx, "out/video.mp4", time.Minute, "My \"holiday\" été.mp4")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "filename") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Range", "bytes=10-14")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != "abcde" || resp.Header.Get("Content-Range") != "bytes 10-14/20" {
		t.Fatalf("range: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	// Unsigned, the object is private.
	plain := strings.SplitN(u, "?", 2)[0]
	if resp, err := http.Get(plain); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned GET: %v %v", resp.StatusCode, err)
	}
	short, err := b.PresignGet(ctx, "out/video.mp4", time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	resp, err = http.Get(short)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired URL answered %d %q", resp.StatusCode, body)
	}
	if _, err := b.PresignGet(ctx, "out/video.mp4", 8*24*time.Hour, ""); err == nil {
		t.Fatal("a lifetime over seven days was accepted")
	}
}

func TestProbe(t *testing.T) {
	b, s3 := open(t, "pre")
	ctx := ctxT(t)
	if err := b.Probe(ctx); err != nil {
		t.Fatalf("probe of a good bucket: %v", err)
	}
	n := 0
	_ = b.List(ctx, "", func(objstore.Info) error { n++; return nil })
	if n != 0 {
		t.Fatalf("the probe left %d objects", n)
	}
	cases := []struct {
		name string
		b    *objstore.Bucket
		want string
	}{
		{"wrong secret", openOn(t, s3, "pre", "not-the-secret"), "bad credentials: the secret key is wrong"},
		{"no bucket", func() *objstore.Bucket {
			cfg, _ := objstore.Parse(strings.Replace(s3.URL("pre"), s3.Bucket, "no-such-bucket", 1))
			cfg.AccessKey, cfg.SecretKey = s3.AccessKey, s3.SecretKey
			b, err := objstore.Open(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), `no such bucket: "no-such-bucket" does not exist`},
		{"no permission", func() *objstore.Bucket {
			s3.AddUser(t, "reader", "reader-secret-0123")
			cfg, _ := objstore.Parse(s3.URL("pre"))
			cfg.AccessKey, cfg.SecretKey = "reader", "reader-secret-0123"
			b, _ := objstore.Open(ctx, cfg, nil)
			return b
		}(), "no permission: the credentials may not write objects in this bucket"},
		{"wrong access key", func() *objstore.Bucket {
			cfg, _ := objstore.Parse(s3.URL("pre"))
			cfg.AccessKey, cfg.SecretKey = "nobody", "whatever-secret"
			b, _ := objstore.Open(ctx, cfg, nil)
			return b
		}(), "bad credentials"},
	}
	for _, c := range cases {
		err := c.b.Probe(ctx)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: probe said %v, want %q", c.name, err, c.want)
		}
	}
	s3.Stop()
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := b.Probe(short); err == nil || !strings.Contains(err.Error(), "unreachable endpoint") {
		t.Errorf("stopped server: probe said %v", err)
	}
}

// storage.serve: stream answers Range requests straight from the store.
func TestOpenSeekerServesRanges(t *testing.T) {
	b, _ := open(t, "s")
	ctx := ctxT(t)
	data := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB
	if err := b.Put(ctx, "out.mp4", bytes.NewReader(data), int64(len(data)), "video/mp4"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs, info, err := b.OpenSeeker(r.Context(), "out.mp4")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rs.Close()
		w.Header().Set("Content-Type", info.ContentType)
		http.ServeContent(w, r, "", info.Modified, rs)
	}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Range", "bytes=999990-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(got) != "0123456789" || resp.Header.Get("Content-Range") != "bytes 999990-999999/1000000" {
		t.Fatalf("range: %d %q %q", resp.StatusCode, got, resp.Header.Get("Content-Range"))
	}
	if _, down := b.Stats(); down > 64<<10 {
		t.Fatalf("a 10-byte range downloaded %d bytes from the store", down)
	}
	resp, err = http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("whole: %d, %d bytes", resp.StatusCode, len(got))
	}
	if _, _, err := b.OpenSeeker(ctx, "missing"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}
