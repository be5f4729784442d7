package objstore

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// The conditional write itself, past PutFileOnce's Stat: two writers that both saw no
// object must not both win (on a store that knows If-None-Match, as versitygw does).
func TestPutIfAbsentRefusesSecondWriter(t *testing.T) {
	b := testBucket(t, "x")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	one, two := filepath.Join(dir, "1"), filepath.Join(dir, "2")
	os.WriteFile(one, []byte("one"), 0o644)
	os.WriteFile(two, []byte("two"), 0o644)
	if wrote, err := b.putIfAbsent(ctx, "k", one, ""); err != nil || !wrote {
		t.Fatalf("first: %v %v", wrote, err)
	}
	if wrote, err := b.putIfAbsent(ctx, "k", two, ""); err != nil || wrote {
		t.Fatalf("second: wrote=%v err=%v", wrote, err)
	}
	rc, _, err := b.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); string(got) != "one" {
		t.Fatalf("overwritten: %q", got)
	}
}

// Files past the part size: PutFile goes multipart and must come back whole; write-once
// must still refuse a second writer (versitygw ignores If-None-Match on a multipart
// completion, so PutFileOnce sends one PUT).
func TestLargeFilesMultipart(t *testing.T) {
	b := testBucket(t, "big")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstu"), (partSize+1<<20)/31) // 17 MiB
	one, two := filepath.Join(dir, "1"), filepath.Join(dir, "2")
	os.WriteFile(one, big, 0o644)
	os.WriteFile(two, big[:len(big)-1], 0o644)
	if wrote, err := b.putIfAbsent(ctx, "k", one, "video/mp4"); err != nil || !wrote {
		t.Fatalf("first: %v %v", wrote, err)
	}
	if wrote, err := b.putIfAbsent(ctx, "k", two, "video/mp4"); err != nil || wrote {
		t.Fatalf("second: wrote=%v err=%v", wrote, err)
	}
	got := filepath.Join(dir, "got")
	if err := b.Get(ctx, "k", got); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(got); !bytes.Equal(data, big) {
		t.Fatalf("read back %d bytes, wrote %d (or different ones)", len(data), len(big))
	}
	if err := b.Put(ctx, "stream", bytes.NewReader(big), -1, ""); err != nil {
		t.Fatal(err)
	}
	if info, err := b.Stat(ctx, "stream"); err != nil || info.Size != int64(len(big)) {
		t.Fatalf("streamed upload of unknown size: %+v %v", info, err)
	}
}

// testBucket opens prefix of a fresh test server's bucket. (The package's own tests cannot
// use objstoretest, which imports this package.)
func testBucket(t *testing.T, prefix string) *Bucket {
	t.Helper()
	s3 := testutil.StartS3(t)
	cfg, err := Parse(s3.URL(prefix))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = s3.AccessKey, s3.SecretKey
	b, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
