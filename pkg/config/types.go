package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Size is a number of bytes, written in a file or the environment as "25MiB", "25MB",
// "1.5GiB" or plain "1048576". MB is 10^6 bytes, MiB is 2^20.
type Size int64

// Byte multiples.
const (
	B   Size = 1
	KiB Size = 1 << 10
	MiB Size = 1 << 20
	GiB Size = 1 << 30
	TiB Size = 1 << 40
	KB  Size = 1e3
	MB  Size = 1e6
	GB  Size = 1e9
	TB  Size = 1e12
)

// sizeUnits in the order String prefers them when two spell a value equally short.
var sizeUnits = []struct {
	name string
	n    Size
}{
	{"TiB", TiB}, {"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB},
	{"TB", TB}, {"GB", GB}, {"MB", MB}, {"KB", KB},
}

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

// ParseSize reads a byte count such as "25MiB", "512KB" or "1048576". A fraction of a
// byte is dropped.
func ParseSize(s string) (Size, error) {
	m := sizeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size (write it like 25MiB, 1GiB, 500MB or 1048576)", s)
	}
	unit := B
	if m[2] != "" {
		u, ok := unitByName(m[2])
		if !ok {
			return 0, fmt.Errorf("%q has an unknown unit %q (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, m[2])
		}
		unit = u
	}
	r, ok := new(big.Rat).SetString(m[1])
	if !ok {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(unit)))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Size(n.Int64()), nil
}

func unitByName(name string) (Size, bool) {
	switch strings.ToLower(name) {
	case "b":
		return B, true
	case "kb":
		return KB, true
	case "mb":
		return MB, true
	case "gb":
		return GB, true
	case "tb":
		return TB, true
	case "kib", "ki":
		return KiB, true
	case "mib", "mi":
		return MiB, true
	case "gib", "gi":
		return GiB, true
	case "tib", "ti":
		return TiB, true
	}
	return 0, false
}

// String spells the size with the unit giving the shortest exact number: "25MiB",
// "500MB", "1234B". ParseSize reads it back to the same value.
func (s Size) String() string {
	best := strconv.FormatInt(int64(s), 10) + "B"
	if s == 0 {
		return "0B"
	}
	for _, u := range sizeUnits {
		if s%u.n == 0 {
			if t := strconv.FormatInt(int64(s/u.n), 10) + u.name; len(t) < len(best) {
				best = t
			}
		}
	}
	return best
}

// UnmarshalText reads the forms ParseSize accepts.
func (s *Size) UnmarshalText(b []byte) error {
	v, err := ParseSize(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText writes the form String gives.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalYAML accepts a plain integer (bytes) or a string with a unit.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a size must be a single value like 25MiB", n.Line)
	}
	return s.UnmarshalText([]byte(n.Value))
}

// MarshalYAML writes the form String gives.
func (s Size) MarshalYAML() (any, error) { return s.String(), nil }

// Secret is a string that never prints: String, fmt verbs, YAML, JSON and slog all show
// "***" when it is set. Read the value with Reveal.
type Secret string

const masked = "***"

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return masked
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format makes every fmt verb (%s, %v, %q, %x...) print the masked form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' || f.Flag('#') {
		fmt.Fprint(f, strconv.Quote(s.String()))
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalYAML writes the masked form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON writes the masked form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue keeps slog from logging the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
