// Package font ships the caption font inside the binary: DejaVu Sans (free licence, see
// LICENSE-DejaVu.txt, from Debian's fonts-dejavu-core), which covers Latin, Greek, Cyrillic,
// Arabic, Hebrew and many symbols.
package font

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed DejaVuSans.ttf
var dejaVuSans []byte

// Name is the font's file name; it carries part of its hash so a new font never meets an old
// file of the same name.
func Name() string {
	sum := sha256.Sum256(dejaVuSans)
	return "DejaVuSans-" + hex.EncodeToString(sum[:4]) + ".ttf"
}

// Write puts the font in dir unless it is there already and returns its path. The file is
// written through a temp name and a rename, so a reader never sees half a font.
func Write(dir string) (string, error) {
	path := filepath.Join(dir, Name())
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(dejaVuSans)) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("font: %w", err)
	}
	f, err := os.CreateTemp(dir, ".font-*")
	if err != nil {
		return "", fmt.Errorf("font: %w", err)
	}
	_, werr := f.Write(dejaVuSans)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("font: write: %v %v", werr, cerr)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("font: %w", err)
	}
	return path, nil
}
