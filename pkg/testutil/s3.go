package testutil

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 is a real S3-compatible server (versitygw over its posix backend) owned by one test:
// a loopback port, a directory of its own, one bucket made at start. Stop and Start take it
// away and bring it back on the same port with the same objects, for fault tests.
type S3 struct {
	Endpoint  string // http://127.0.0.1:PORT
	Bucket    string
	AccessKey string
	SecretKey string
	Dir       string // the posix backend's root: one sub-directory per bucket

	Daemon
	iamDir string // versitygw's own user accounts (AddUser)
	bin    string
}

// S3Binary finds versitygw on PATH or where `go install` puts it (scripts/install-deps.sh
// test installs it there, and a fresh shell's PATH may not include that directory).
func S3Binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if gp, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(gp))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("versitygw is not installed (scripts/install-deps.sh test installs it: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)")
}

// StartS3 starts versitygw on a free loopback port with a fresh bucket and stops it when the
// test ends. It skips loudly without the binary (fails under SIMVID_REQUIRE_TOOLS=1).
func StartS3(t testing.TB) *S3 {
	t.Helper()
	bin, err := S3Binary()
	if err != nil {
		Missing(t, err.Error())
	}
	s := &S3{Bucket: "simvid-test", AccessKey: "simvidtestkey", SecretKey: "simvid-test-secret-0123456789",
		Dir: t.TempDir(), iamDir: t.TempDir(), bin: bin}
	s.Daemon = Daemon{Name: "versitygw", ReadyWithin: 15 * time.Second, Command: s.command, Ready: func() error {
		// Any HTTP answer (403 to an unsigned request) means it is serving.
		resp, err := http.Get("http://" + s.Addr() + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}}
	s.StartFree(t, nil)
	s.Endpoint = "http://" + s.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Client(t).MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatalf("testutil: make bucket %s: %v\n%s", s.Bucket, err, s.Log())
	}
	return s
}

// URL is the storage URL (storage.url) for prefix under the test bucket; the credentials
// are not in it (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, see Env).
func (s *S3) URL(prefix string) string {
	u := "s3://" + s.Bucket
	if prefix != "" {
		u += "/" + strings.Trim(prefix, "/")
	}
	return u + "?endpoint=" + url.QueryEscape("http://"+s.Addr()) + "&region=us-east-1"
}

// Env sets the AWS credential variables to this server's keys for the test.
func (s *S3) Env(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
}

// Client is a plain minio client on the server, for tests that look behind the package
// under test (make another bucket, list what is really there).
func (s *S3) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Addr(), &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatalf("testutil: minio client: %v", err)
	}
	return c
}

// AddUser makes an account of role "user": it may use buckets it owns, and none of the
// test's (for tests of refused permissions).
func (s *S3) AddUser(t testing.TB, accessKey, secretKey string) {
	t.Helper()
	cmd := exec.Command(s.bin, "admin", "--endpoint-url", "http://"+s.Addr(),
		"create-user", "--access", accessKey, "--secret", secretKey, "--role", "user")
	cmd.Env = append(os.Environ(), "ADMIN_ACCESS_KEY_ID="+s.AccessKey, "ADMIN_SECRET_ACCESS_KEY="+s.SecretKey)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testutil: versitygw create-user %s: %v\n%s", accessKey, err, out)
	}
}

// command runs versitygw; the access keys go through the environment, not argv, so they do
// not show in ps. Stop and Start (Daemon's) keep the objects: they are on disk.
func (s *S3) command() *exec.Cmd {
	cmd := exec.Command(s.bin, "--port", s.Addr(), "--quiet", "--iam-dir", s.iamDir, "posix", s.Dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.AccessKey, "ROOT_SECRET_ACCESS_KEY="+s.SecretKey)
	return cmd
}
