package objstore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxKeyBytes leaves room for a prefix under S3's 1024-byte limit on a whole key.
const maxKeyBytes = 900

// CheckKey refuses a key that could name something outside its prefix, or a different
// file once a host maps it onto a local path: empty, absolute, "." or ".." segments,
// empty segments ("a//b", trailing "/"), backslashes, control bytes, invalid UTF-8.
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case len(key) > maxKeyBytes:
		return fmt.Errorf("key is %d bytes (at most %d)", len(key), maxKeyBytes)
	case !utf8.ValidString(key):
		return errors.New("key is not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return errors.New("key starts with /")
	case strings.ContainsRune(key, '\\'):
		return errors.New("key contains a backslash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return errors.New("key contains a control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return errors.New("key has an empty segment (// or a trailing /)")
		case ".", "..":
			return fmt.Errorf("key has a %q segment", seg)
		}
	}
	return nil
}

// checkPrefix is CheckKey for a listing prefix: "" (everything) and a trailing "/" are fine.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		return errors.New("prefix is only /")
	}
	// A partial last segment such as "renders/ab" is a fine prefix; ".." is not.
	return CheckKey(p)
}
