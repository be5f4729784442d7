package objstore

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
)

// Presigned URLs live between these: S3 refuses more than seven days, and a URL that
// expires before a client follows the redirect is useless.
const (
	minPresign = time.Second
	maxPresign = 7 * 24 * time.Hour
)

// PresignGet returns a URL that reads key without credentials until ttl passes; Range
// requests work on it. With a downloadName, the response carries a Content-Disposition
// that saves the file under that name.
func (b *Bucket) PresignGet(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error) {
	name, err := b.object(key)
	if err != nil {
		return "", err
	}
	if ttl < minPresign || ttl > maxPresign {
		return "", fmt.Errorf("objstore: presign %s: lifetime %s is outside 1s..168h", key, ttl)
	}
	params := url.Values{}
	if d := Disposition(downloadName); d != "" {
		params.Set("response-content-disposition", d)
	}
	u, err := b.c.PresignedGetObject(ctx, b.cfg.Bucket, name, ttl, params)
	if err != nil {
		return "", b.fail("presign", key, err)
	}
	return u.String(), nil
}

// Disposition is an attachment Content-Disposition for a file name ("" for none): quotes,
// control characters and path separators are dropped, non-ASCII goes in RFC 2231 form.
func Disposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "attachment"
}
