package cmd

import (
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// doctor probes storage.url's bucket and says in words what is wrong.
func TestDoctorChecksBucket(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	s3 := testutil.StartS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3.SecretKey)
	t.Setenv("SIMVID_STORAGE_URL", s3.URL("doc"))
	t.Setenv("SIMVID_LINKS_ALLOWED_HOSTS", "")
	out, err := run(t, "doctor", "--data-dir", t.TempDir())
	if err != nil || !strings.Contains(out, "ok    storage      s3://"+s3.Bucket+"/doc?") || !strings.Contains(out, "probe object") {
		t.Fatalf("doctor with a good bucket: %v\n%s", err, out)
	}
	for _, c := range []struct{ name, env, value, want string }{
		{"wrong secret", "AWS_SECRET_ACCESS_KEY", "not-the-secret", "bad credentials: the secret key is wrong"},
		{"no bucket", "SIMVID_STORAGE_URL", strings.Replace(s3.URL("doc"), s3.Bucket, "nobucket", 1), `no such bucket: "nobucket" does not exist`},
		{"no credentials", "AWS_ACCESS_KEY_ID", "", "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.env, c.value)
			if c.name == "no credentials" {
				t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			}
			out, err := run(t, "doctor", "--data-dir", t.TempDir())
			if err == nil || !strings.Contains(out, "FAIL  storage") || !strings.Contains(out, c.want) {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
	s3.Stop()
	out, err = run(t, "doctor", "--data-dir", t.TempDir())
	if err == nil || !strings.Contains(out, "FAIL  storage") || !strings.Contains(out, "unreachable endpoint") {
		t.Fatalf("doctor with the store down: %v\n%s", err, out)
	}
}
