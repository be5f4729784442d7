package objstore_test

import (
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/objstore"
)

func TestParse(t *testing.T) {
	good := []struct {
		url  string
		want objstore.Config
	}{
		{"s3://media", objstore.Config{Bucket: "media", Endpoint: "s3.amazonaws.com", Secure: true}},
		{"s3://media/a/b/?region=eu-west-1", objstore.Config{Bucket: "media", Prefix: "a/b/", Endpoint: "s3.amazonaws.com", Secure: true, Region: "eu-west-1"}},
		{"s3://media/simvid?endpoint=http://127.0.0.1:9000", objstore.Config{Bucket: "media", Prefix: "simvid/", Endpoint: "127.0.0.1:9000", Region: "us-east-1", PathStyle: true}},
		{"s3://media?endpoint=https://acct.r2.cloudflarestorage.com&region=auto", objstore.Config{Bucket: "media", Endpoint: "acct.r2.cloudflarestorage.com", Secure: true, Region: "auto", PathStyle: true}},
		{"s3://media?endpoint=https://minio.example.com/&path_style=false", objstore.Config{Bucket: "media", Endpoint: "minio.example.com", Secure: true, Region: "us-east-1"}},
		{"s3://media?endpoint=https://s3.eu-west-1.amazonaws.com&region=eu-west-1&path_style=true", objstore.Config{Bucket: "media", Endpoint: "s3.eu-west-1.amazonaws.com", Secure: true, Region: "eu-west-1", PathStyle: true}},
		{"s3://media?endpoint=http://[::1]:9000", objstore.Config{Bucket: "media", Endpoint: "[::1]:9000", Region: "us-east-1", PathStyle: true}},
	}
	for _, c := range good {
		got, err := objstore.Parse(c.url)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	bad := []struct{ url, want string }{
		{"", "scheme must be s3://"},
		{"http://media", "scheme must be s3://"},
		{"s3:///prefix", "no bucket"},
		{"s3://Media_Bucket", `bucket "Media_Bucket"`},
		{"s3://key:secret@media", "credentials do not go in the URL"},
		{"s3://media/a/../b", `prefix "a/../b"`},
		{"s3://media/a//b", "empty segment"},
		{"s3://media?endpoint=127.0.0.1:9000", "must start with http:// or https://"},
		{"s3://media?endpoint=ftp://host", "must start with http:// or https://"},
		{"s3://media?endpoint=http://", "has no host"},
		{"s3://media?endpoint=http://host/path", "no path"},
		{"s3://media?endpoint=http://host:99999", "bad port"},
		{"s3://media?path_style=yes", "path_style must be true or false"},
		{"s3://media?pathstyle=true&endpoint=http://h", "unknown parameter pathstyle"},
		{"s3://media?region=a&region=b", "region is given 2 times"},
		{"s3://media/%zz", "not a URL"},
	}
	for _, c := range bad {
		_, err := objstore.Parse(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "storage url: ") {
			t.Errorf("Parse(%q) error %v, want one containing %q", c.url, err, c.want)
		}
	}
}

func TestConfigStringHasNoSecret(t *testing.T) {
	c, err := objstore.Parse("s3://media/p?endpoint=http://h:9000")
	if err != nil {
		t.Fatal(err)
	}
	c.AccessKey, c.SecretKey = "AKID", "SECRET"
	s := c.String()
	if strings.Contains(s, "SECRET") || strings.Contains(s, "AKID") {
		t.Fatalf("String shows credentials: %s", s)
	}
	back, err := objstore.Parse(s)
	if err != nil || back.Bucket != "media" || back.Prefix != "p/" || back.Endpoint != "h:9000" || !back.PathStyle {
		t.Fatalf("String does not parse back: %s -> %+v %v", s, back, err)
	}
}

func TestCheckKey(t *testing.T) {
	good := []string{"a", "a/b/c.mp4", "projects/01HX/thumbs/a b.jpg", "été/ü.png", "a.b/..c/d..", ".hidden"}
	for _, k := range good {
		if err := objstore.CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q): %v", k, err)
		}
	}
	bad := map[string]string{
		"":                       "empty key",
		"/a":                     "starts with /",
		"a//b":                   "empty segment",
		"a/":                     "empty segment",
		"..":                     `".." segment`,
		"a/../b":                 `".." segment`,
		"a/./b":                  `"." segment`,
		"a\\b":                   "backslash",
		"a\x00b":                 "control character",
		"a\nb":                   "control character",
		"\xff":                   "UTF-8",
		strings.Repeat("k", 901): "at most 900",
	}
	for k, want := range bad {
		err := objstore.CheckKey(k)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckKey(%q) = %v, want %q", k, err, want)
		}
	}
}
