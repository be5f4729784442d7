package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// field is one leaf setting: its dotted YAML key, where it lives in Config, and the
// environment variables read for it, first set wins.
type field struct {
	key   string // "limits.file_bytes"
	index []int
	typ   reflect.Type
	env   []string // "SIMVID_LIMITS_FILE_BYTES", then the seed's alias if any
}

// aliases are the environment names the seed used, read after the SIMVID_ name.
var aliases = map[string][]string{
	"addr":           {"PORT"},
	"redis_url":      {"REDIS_URL"},
	"database_url":   {"DATABASE_URL"},
	"admin.password": {"ADMIN_PASSWORD"},
	"workers.video":  {"VIDEO_WORKERS"},
	"workers.audio":  {"AUDIO_WORKERS"},
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fields lists every leaf of Config in declaration order, derived from the yaml tags so a
// new setting gets its environment variable without anyone listing it.
func fields() []field {
	var out []field
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !sf.IsExported() {
				continue
			}
			key := prefix + name
			idx := append(append([]int(nil), index...), i)
			if isSection(sf.Type) {
				walk(sf.Type, key+".", idx)
				continue
			}
			env := append([]string{EnvName(key)}, aliases[key]...)
			out = append(out, field{key: key, index: idx, typ: sf.Type, env: env})
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return out
}

// isSection reports whether t is a nested group of settings rather than one value.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(textUnmarshalerType)
}

// EnvName is the environment variable of a dotted key: "limits.file_bytes" is
// SIMVID_LIMITS_FILE_BYTES.
func EnvName(key string) string {
	return "SIMVID_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// setText parses s into the leaf v. The same parser serves the file, the environment and
// the flags, so a value means the same wherever it is written.
func setText(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a duration (write it like 30s, 5m, 720h)", s)
		}
		v.SetInt(int64(d))
		return nil
	}
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", v.Type())
		}
		v.Set(reflect.ValueOf(splitList(s)))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// splitList reads a comma-separated list, ignoring blanks around and between items.
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// formatLeaf is the inverse of setText, used by Dump; secrets come out masked.
func formatLeaf(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Duration:
		return formatDuration(x)
	case fmt.Stringer:
		return x.String()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return v.String()
}

// formatDuration drops the zero tails time.Duration prints: 720h, not 720h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
