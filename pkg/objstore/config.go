// Package objstore keeps simvid's files in an S3-compatible object store (AWS S3, MinIO,
// SeaweedFS, Ceph RGW, Cloudflare R2, versitygw), under one bucket and prefix.
package objstore

import (
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Config says where the objects live and how to reach them; Parse builds it from a
// storage URL. Empty credentials mean the AWS_* environment variables at Open.
type Config struct {
	Bucket    string
	Prefix    string // "" or "a/b/": every key is stored under it
	Endpoint  string // host[:port]
	Secure    bool   // https
	Region    string // "" lets the client ask AWS where the bucket is
	PathStyle bool   // http://host/bucket/key rather than http://bucket.host/key

	AccessKey, SecretKey, SessionToken string
}

// awsEndpoint is where a URL with no endpoint goes.
const awsEndpoint = "s3.amazonaws.com"

// Parse reads s3://BUCKET[/PREFIX]?endpoint=http://host:port&region=R&path_style=true|false.
// Without an endpoint the bucket is on AWS (https, virtual-host style); any other endpoint
// defaults to path style and, without a region, to us-east-1 (what the self-hosted stores
// answer to), so no region lookup is made.
func Parse(raw string) (Config, error) {
	var c Config
	u, err := url.Parse(raw)
	if err != nil {
		return c, fmt.Errorf("storage url: not a URL: %v", errorText(err, raw))
	}
	if u.Scheme != "s3" {
		return c, fmt.Errorf("storage url: scheme must be s3:// (got %q)", u.Scheme)
	}
	if u.User != nil {
		return c, fmt.Errorf("storage url: credentials do not go in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	c.Bucket = u.Host
	if c.Bucket == "" {
		return c, fmt.Errorf("storage url: no bucket (expected s3://BUCKET/PREFIX)")
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return c, fmt.Errorf("storage url: bucket %q: %v", c.Bucket, err)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if err := CheckKey(p); err != nil {
			return c, fmt.Errorf("storage url: prefix %q: %w", p, err)
		}
		c.Prefix = p + "/"
	}
	q := u.Query()
	var unknown []string
	for k := range q {
		switch k {
		case "endpoint", "region", "path_style":
			if len(q[k]) > 1 {
				return c, fmt.Errorf("storage url: %s is given %d times", k, len(q[k]))
			}
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return c, fmt.Errorf("storage url: unknown parameter %s (known: endpoint, region, path_style)", strings.Join(unknown, ", "))
	}
	c.Region = q.Get("region")
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		switch {
		case !strings.HasPrefix(ep, "http://") && !strings.HasPrefix(ep, "https://"):
			return c, fmt.Errorf("storage url: endpoint %q must start with http:// or https://", ep)
		case err != nil:
			return c, fmt.Errorf("storage url: endpoint %q is not a URL", ep)
		case e.Host == "" || e.Hostname() == "":
			return c, fmt.Errorf("storage url: endpoint %q has no host", ep)
		case strings.Trim(e.Path, "/") != "" || e.RawQuery != "" || e.User != nil || e.Fragment != "":
			return c, fmt.Errorf("storage url: endpoint %q must be only scheme://host[:port] (no path, query or credentials)", ep)
		}
		if p := e.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return c, fmt.Errorf("storage url: endpoint %q has a bad port", ep)
			}
		}
		c.Endpoint, c.Secure = e.Host, e.Scheme == "https"
	} else {
		c.Endpoint, c.Secure = awsEndpoint, true
	}
	aws := isAWS(c.Endpoint)
	c.PathStyle = !aws
	if ps := q.Get("path_style"); ps != "" {
		b, err := strconv.ParseBool(ps)
		if err != nil {
			return c, fmt.Errorf("storage url: path_style must be true or false (got %q)", ps)
		}
		c.PathStyle = b
	}
	if c.Region == "" && !aws {
		c.Region = "us-east-1"
	}
	return c, nil
}

// String is the storage URL of c, without credentials (for logs and doctor).
func (c Config) String() string {
	u := "s3://" + c.Bucket
	if c.Prefix != "" {
		u += "/" + strings.TrimSuffix(c.Prefix, "/")
	}
	scheme := "http"
	if c.Secure {
		scheme = "https"
	}
	return u + "?endpoint=" + scheme + "://" + c.Endpoint + "&region=" + c.Region + "&path_style=" + strconv.FormatBool(c.PathStyle)
}

// WithEnvCredentials fills empty credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN.
func (c Config) WithEnvCredentials() Config {
	if c.AccessKey == "" && c.SecretKey == "" {
		c.AccessKey = firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
		c.SecretKey = firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
		c.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	}
	return c
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func isAWS(host string) bool {
	h := host
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return h == "amazonaws.com" || strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazonaws.com.cn")
}

// errorText drops the raw URL from url.Parse's message: it is already said, and may be long.
func errorText(err error, raw string) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return strings.ReplaceAll(err.Error(), raw, "")
}
