package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// /readyz probes the bucket of storage.url: ready with good credentials, 503 saying why
// (not where) with bad ones.
func TestReadyzChecksBucket(t *testing.T) {
	s3 := testutil.StartS3(t)
	readyz := func(secret string) (int, string) {
		t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
		cfg := testConfig(t, "")
		cfg.Storage.URL = s3.URL("ready")
		base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
		res, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var body struct{ Error string }
		_ = json.Unmarshal(b, &body)
		return res.StatusCode, body.Error
	}
	if status, msg := readyz(s3.SecretKey); status != 200 {
		t.Fatalf("good bucket: %d %s", status, msg)
	}
	status, msg := readyz("wrong-secret")
	if status != http.StatusServiceUnavailable || !strings.Contains(msg, "object store is not usable: bad credentials") {
		t.Fatalf("wrong secret: %d %q", status, msg)
	}
	if strings.Contains(msg, s3.Addr()) || strings.Contains(msg, s3.Bucket) || strings.Contains(msg, s3.AccessKey) {
		t.Fatalf("readyz tells where the bucket is or whose key: %q", msg)
	}
}
