package simvid

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Id prefixes. An id is prefix + "_" + 22 base64url characters (128 random bits); the id of a
// project is the capability that grants access to it, so it must never be guessable.
const (
	PrefixProject = "prj"
	PrefixImage   = "img"
	PrefixAudio   = "aud"
	PrefixRender  = "rnd"
	PrefixSlide   = "sld"
)

const idRandLen = 22 // base64url, no padding, of 16 bytes

// NewID returns a fresh random id with the given prefix.
func NewID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("simvid: crypto/rand failed: " + err.Error())
	}
	return prefix + "_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidID reports whether s is a well-formed id with the given prefix. Every route checks
// ids with it before they reach the database or the file system.
func ValidID(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != idRandLen {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// The last character of 16 bytes in base64 carries only 2 bits: the rest must be zero,
	// so only one spelling of each id exists.
	_, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil
}
