// Package objstoretest opens the test S3 server's bucket (testutil.StartS3) the way simvid
// opens storage.url, for tests of the packages that store files there.
package objstoretest

import (
	"context"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/testutil"
)

// Open opens prefix of the server's bucket with the server's own keys.
func Open(t testing.TB, s3 *testutil.S3, prefix string) *objstore.Bucket {
	t.Helper()
	return OpenWith(t, s3, prefix, s3.SecretKey)
}

// OpenWith is Open with another secret key, for tests of refused credentials.
func OpenWith(t testing.TB, s3 *testutil.S3, prefix, secret string) *objstore.Bucket {
	t.Helper()
	cfg, err := objstore.Parse(s3.URL(prefix))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = s3.AccessKey, secret
	b, err := objstore.Open(context.Background(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
