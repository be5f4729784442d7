package objstore

import (
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
	s3 := testutil.StartS3(t)
	cfg, err := Parse(s3.URL("x"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = s3.AccessKey, s3.SecretKey
	b, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
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
