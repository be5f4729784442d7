// Package web holds the page people use, as plain files embedded in the binary, with
// content-hashed asset URLs so that every file may be cached for a long time.
//
// Serve FS() under /static/ and Index() at "/". Every "{{VERSION}}" in the .html, .css and .js
// files (asset links and ES module imports) is replaced by AssetVersion(), so a new build
// changes every URL and an old cached copy is never used. The page needs a CSP that allows
// img-src 'self' blob: (thumbnails show from the browser before the upload finishes).
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed static
var embedded embed.FS

const placeholder = "{{VERSION}}"

// bundle is the embedded files with the version filled in. It is built once, on first use:
// the files never change while the binary runs.
type bundle struct {
	version string
	files   memFS
	index   []byte
}

var assets = sync.OnceValue(build)

// FS returns the page's files, rooted so that "index.html", "app.css" and "js/app.js" are
// at the top, with {{VERSION}} already replaced.
func FS() fs.FS { return assets().files }

// AssetVersion returns a short hash of every embedded file, for cache-busting URLs.
func AssetVersion() string { return assets().version }

// Index returns index.html with its asset URLs versioned. The caller may modify the slice.
func Index() []byte { return bytes.Clone(assets().index) }

func build() bundle {
	root, err := fs.Sub(embedded, "static")
	if err != nil {
		panic("web: embedded static directory missing: " + err.Error())
	}
	raw := map[string][]byte{}
	var names []string
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, name)
		raw[name] = b
		names = append(names, name)
		return err
	})
	if err != nil {
		// The files are compiled in; failing to read them is a broken build, not a runtime state.
		panic("web: read embedded files: " + err.Error())
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(raw[n])
		h.Write([]byte{0})
	}
	version := hex.EncodeToString(h.Sum(nil))[:12]
	files := newMemFS()
	for _, n := range names {
		b := raw[n]
		switch path.Ext(n) {
		case ".html", ".css", ".js":
			b = []byte(strings.ReplaceAll(string(b), placeholder, version))
		}
		files.add(n, b)
	}
	return bundle{version: version, files: files, index: files["index.html"].data}
}
