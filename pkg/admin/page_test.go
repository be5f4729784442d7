package admin

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/simvid/simvid/web"
)

// The admin page must run under a CSP without 'unsafe-inline' and must never turn text it
// shows (file names, captions, error messages) into markup.
func TestPageIsCSPCleanAndTextOnly(t *testing.T) {
	idx, err := fs.ReadFile(web.FS(), "admin/index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(idx)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`), // inline script
		regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`),      // inline handler
		regexp.MustCompile(`(?i)(<style\b|\sstyle\s*=)`),    // inline style
		regexp.MustCompile(`(?i)(src|href)="(https?:)?//`),  // another origin (a CDN)
		regexp.MustCompile(`\{\{VERSION\}\}`),
	} {
		if m := bad.FindString(html); m != "" {
			t.Errorf("admin/index.html: %q", m)
		}
	}
	for _, ref := range []string{"/static/admin/admin.js?v=", "/static/admin/admin.css?v="} {
		if !strings.Contains(html, ref+web.AssetVersion()) {
			t.Errorf("admin/index.html does not load %s with the asset version", ref)
		}
	}
	js, err := fs.ReadFile(web.FS(), "admin/admin.js")
	if err != nil {
		t.Fatal(err)
	}
	banned := regexp.MustCompile(`\binnerHTML\b|\bouterHTML\b|\beval\(|new Function\(|document\.write|insertAdjacentHTML|\.style\b|https?://|localStorage|sessionStorage`)
	if m := banned.FindString(string(js)); m != "" {
		t.Errorf("admin.js uses %q", m)
	}
}
