package web

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// memFS is a read-only file system held in memory: the embedded files after the version
// was filled in. Keys are slash paths; "." and every parent directory are entries too.
type memFS map[string]*memEntry

type memEntry struct {
	name     string // base name
	data     []byte
	dir      bool
	children []string // base names, sorted; directories only
}

func newMemFS() memFS { return memFS{".": {name: ".", dir: true}} }

// add stores a file and creates its parent directories.
func (m memFS) add(name string, data []byte) {
	m[name] = &memEntry{name: path.Base(name), data: data}
	for child := name; child != "."; {
		parent := path.Dir(child)
		e, ok := m[parent]
		if !ok {
			e = &memEntry{name: path.Base(parent), dir: true}
			m[parent] = e
		}
		base := path.Base(child)
		if i, found := slices.BinarySearch(e.children, base); !found {
			e.children = slices.Insert(e.children, i, base)
		}
		child = parent
	}
}

// Open implements fs.FS.
func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	e, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if e.dir {
		return &memDir{fsys: m, path: name, entry: e}, nil
	}
	return &memFile{entry: e, Reader: bytes.NewReader(e.data)}, nil
}

// ReadFile implements fs.ReadFileFS; the caller gets its own copy.
func (m memFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	e, ok := m[name]
	if !ok || e.dir {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return bytes.Clone(e.data), nil
}

// info describes an entry; it is both fs.FileInfo and fs.DirEntry.
type info struct{ e *memEntry }

func (i info) Name() string { return i.e.name }
func (i info) Size() int64  { return int64(len(i.e.data)) }
func (i info) Mode() fs.FileMode {
	if i.e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i info) ModTime() time.Time         { return time.Time{} }
func (i info) IsDir() bool                { return i.e.dir }
func (i info) Sys() any                   { return nil }
func (i info) Type() fs.FileMode          { return i.Mode().Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }

// memFile is an open file; bytes.Reader gives it Read, Seek and ReadAt (http.FS needs Seek).
type memFile struct {
	entry *memEntry
	*bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return info{f.entry}, nil }
func (f *memFile) Close() error               { return nil }

// memDir is an open directory.
type memDir struct {
	fsys  memFS
	path  string
	entry *memEntry
	next  int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return info{d.entry}, nil }
func (d *memDir) Close() error               { return nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: fs.ErrInvalid}
}

// ReadDir implements fs.ReadDirFile.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entry.children[d.next:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	out := make([]fs.DirEntry, 0, len(rest))
	for _, base := range rest {
		out = append(out, info{d.fsys[strings.TrimPrefix(path.Join(d.path, base), "./")]})
	}
	d.next += len(rest)
	return out, nil
}
