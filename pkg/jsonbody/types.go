package jsonbody

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// field is one JSON member of a struct, as encoding/json sees it.
type field struct {
	name     string
	typ      reflect.Type
	unit     string // `unit:"seconds"`: its messages say "a number of seconds"
	asString bool
}

type fields []field

// find matches a member name as encoding/json does: exactly, else ignoring case.
func (fs fields) find(name string) *field {
	for i := range fs {
		if fs[i].name == name {
			return &fs[i]
		}
	}
	for i := range fs {
		if strings.EqualFold(fs[i].name, name) {
			return &fs[i]
		}
	}
	return nil
}

var fieldCache sync.Map // reflect.Type -> fields

// fieldsOf lists a struct's JSON members, with embedded structs' members promoted.
func fieldsOf(t reflect.Type) fields {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(fields)
	}
	var fs fields
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				fs = append(fs, fieldsOf(et)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, typ: sf.Type, unit: sf.Tag.Get("unit"),
			asString: slices.Contains(strings.Split(opts, ","), "string")})
	}
	fieldCache.Store(t, fs)
	return fs
}

// unknownField names a member the struct at path does not have, with the nearest known
// name when one is close, else the known names.
func unknownField(path, member string, fs fields) string {
	msg := "unknown field " + join(path, member)
	best, bestD := "", 0
	for _, f := range fs {
		d := distance(strings.ToLower(member), strings.ToLower(f.name))
		if best == "" || d < bestD {
			best, bestD = f.name, d
		}
	}
	if best != "" && bestD <= max(1, min(3, len(member)/3)) {
		return msg + "; did you mean " + best + "?"
	}
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	if len(names) == 0 {
		return msg + "; " + name(path) + " takes no fields"
	}
	return msg + "; " + name(path) + " takes " + strings.Join(names, ", ")
}

// distance is the edit distance between a and b counting a swap of two neighbours as one
// edit (optimal string alignment): "nmae" is one typing slip from "name". Names are ASCII.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func isUint(t reflect.Type) bool { return isInt(t) && t.Kind() >= reflect.Uint }

// checkInt checks a JSON number against an integer type.
func checkInt(n string, t reflect.Type, path, unit string) error {
	var err error
	if isUint(t) {
		_, err = strconv.ParseUint(n, 10, t.Bits())
	} else {
		_, err = strconv.ParseInt(n, 10, t.Bits())
	}
	if err == nil {
		return nil
	}
	_, ferr := strconv.ParseFloat(n, 64)
	if ne, ok := err.(*strconv.NumError); (ok && ne.Err == strconv.ErrRange) || ferr != nil {
		return &Error{Path: path, Problem: fmt.Sprintf("%s is out of range (%s)", name(path), n)}
	}
	return &Error{Path: path, Problem: fmt.Sprintf("%s must be %s, not %s", name(path), expected(t, unit), n)}
}

func parseFloat(n string, bits int) (float64, error) { return strconv.ParseFloat(n, bits) }

// expected says in words what a value of type t is.
func expected(t reflect.Type, unit string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		if unit != "" {
			return "a number of " + unit
		}
		return "a number"
	case isUint(t):
		if unit != "" {
			return "a whole number of " + unit + ", 0 or more"
		}
		return "a whole number, 0 or more"
	case isInt(t):
		if unit != "" {
			return "a whole number of " + unit
		}
		return "a whole number"
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map:
		return "an object"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "a list of " + plural(t.Elem())
	}
	return "a " + t.Kind().String()
}

// plural names many values of type t, for "a list of ...".
func plural(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.String:
		return "strings"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "numbers"
	case isInt(t):
		return "whole numbers"
	case t.Kind() == reflect.Bool:
		return "booleans"
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map:
		return "objects"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "lists"
	}
	return "values"
}

// kindOf names what a JSON token starts: "a string", "an object"...
func kindOf(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return "null"
}
