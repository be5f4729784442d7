// Package jsonbody decodes JSON request bodies strictly, with errors that name the field by
// its JSON path and say what was expected.
//
// encoding/json alone says "json: unknown field \"transtion\"" without a path, "cannot
// unmarshal string into Go struct field Slide.slides.duration of type float64" with Go
// names, and "number 1e309" for a number out of range. Decode first walks the body's tokens
// alongside the destination's type, so the first problem is reported in the body's own words
// ("slides[3].duration must be a number of seconds, not a string"; "unknown field
// transtion; did you mean transition?"), then decodes it with unknown fields refused.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Error is a body that could not be decoded: Path is the JSON path of the value at fault
// ("" for the body itself, "slides[3].duration"), Problem what is wrong with it.
type Error struct {
	Path    string
	Problem string
	Syntax  bool // the body is not JSON at all (rather than JSON of the wrong shape)
}

func (e *Error) Error() string { return e.Problem }

// Decode decodes raw into dst (a pointer), refusing unknown fields. prefix is put before
// every path ("spec" gives "spec.slides[0].asset"); "" for a whole body. The error, when
// not nil, is an *Error.
func Decode(raw []byte, dst any, prefix string) error { return decode(raw, dst, prefix, false) }

// DecodeLoose is Decode for bodies whose unknown fields are ignored: the routes of the
// Python original, whose clients may send fields it never read.
func DecodeLoose(raw []byte, dst any, prefix string) error { return decode(raw, dst, prefix, true) }

func decode(raw []byte, dst any, prefix string, loose bool) error {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return fmt.Errorf("jsonbody: Decode needs a pointer, not %T", dst)
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	if !loose {
		strict.DisallowUnknownFields()
	}
	err := strict.Decode(dst)
	if err == nil {
		if _, end := strict.Token(); end == io.EOF {
			return nil
		}
	}
	// Something is wrong: walk the tokens beside the type to name what and where. Only a
	// refused body pays for the walk.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	w := walker{dec: dec, loose: loose}
	if werr := w.value(t.Elem(), prefix); werr != nil {
		return werr
	}
	if _, end := dec.Token(); end != io.EOF || err == nil {
		return &Error{Path: prefix, Syntax: true, Problem: at(prefix, "has more after the end of the JSON value"+offset(dec))}
	}
	// The walk found nothing: this is a case it does not model (a custom decoder).
	return &Error{Path: prefix, Problem: at(prefix, "could not be read: "+strings.TrimPrefix(err.Error(), "json: "))}
}

type walker struct {
	dec   *json.Decoder
	loose bool // unknown members are skipped
}

var (
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()
)

// value reads one JSON value from the decoder, checking it against t.
func (w *walker) value(t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer { // null is taken below, as for any type
		t = t.Elem()
	}
	if t.Kind() != reflect.Interface && (reflect.PointerTo(t).Implements(unmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		return w.custom(t, path)
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err, path)
	}
	if tok == nil { // null leaves anything as it is, as encoding/json does
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		return w.skip(tok, path)
	case reflect.Struct:
		if tok != json.Delim('{') {
			return w.mismatch(tok, t, path, "")
		}
		return w.object(t, path)
	case reflect.Map:
		if tok != json.Delim('{') {
			return w.mismatch(tok, t, path, "")
		}
		for w.dec.More() {
			k, err := w.dec.Token()
			if err != nil {
				return w.syntax(err, path)
			}
			if err := w.value(t.Elem(), join(path, k.(string))); err != nil {
				return err
			}
		}
		_, err := w.dec.Token()
		return w.syntax(err, path)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			if _, ok := tok.(string); ok {
				return nil // []byte is base64 text
			}
		}
		if tok != json.Delim('[') {
			return w.mismatch(tok, t, path, "")
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := w.dec.Token()
		return w.syntax(err, path)
	}
	return w.scalar(tok, t, path, "")
}

// object reads the members of an object whose '{' was read, for struct type t.
func (w *walker) object(t reflect.Type, path string) error {
	fs := fieldsOf(t)
	for w.dec.More() {
		k, err := w.dec.Token()
		if err != nil {
			return w.syntax(err, path)
		}
		name := k.(string)
		f := fs.find(name)
		if f == nil && w.loose {
			if err := w.value(reflect.TypeFor[any](), join(path, name)); err != nil {
				return err
			}
			continue
		}
		if f == nil {
			return &Error{Path: join(path, name), Problem: unknownField(path, name, fs)}
		}
		if f.asString { // `json:",string"`: rare; encoding/json checks it
			var raw json.RawMessage
			if err := w.dec.Decode(&raw); err != nil {
				return w.syntax(err, path)
			}
			continue
		}
		if err := w.fieldValue(f, join(path, f.name)); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return w.syntax(err, path)
}

// fieldValue is value with the field's unit, for a scalar's message.
func (w *walker) fieldValue(f *field, path string) error {
	t := f.typ
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if f.unit == "" || (t.Kind() != reflect.Float64 && t.Kind() != reflect.Float32 && !isInt(t)) || reflect.PointerTo(t).Implements(unmarshaler) {
		return w.value(f.typ, path)
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err, path)
	}
	if tok == nil {
		return nil
	}
	return w.scalar(tok, t, path, f.unit)
}

// scalar checks a string, number or boolean token against t.
func (w *walker) scalar(tok json.Token, t reflect.Type, path, unit string) error {
	switch t.Kind() {
	case reflect.String:
		if _, ok := tok.(string); ok {
			return nil
		}
	case reflect.Bool:
		if _, ok := tok.(bool); ok {
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if n, ok := tok.(json.Number); ok {
			if _, err := parseFloat(string(n), t.Bits()); err != nil {
				return &Error{Path: path, Problem: fmt.Sprintf("%s is out of range (%s)", name(path), n)}
			}
			return nil
		}
	default:
		if isInt(t) {
			if n, ok := tok.(json.Number); ok {
				return checkInt(string(n), t, path, unit)
			}
		}
	}
	return w.mismatch(tok, t, path, unit)
}

// custom reads a value of a type that decodes itself, and asks it whether the value is good.
func (w *walker) custom(t reflect.Type, path string) error {
	var raw json.RawMessage
	if err := w.dec.Decode(&raw); err != nil {
		return w.syntax(err, path)
	}
	if bytes.Equal(raw, []byte("null")) {
		return nil
	}
	v := reflect.New(t).Interface()
	var err error
	if u, ok := v.(json.Unmarshaler); ok {
		err = u.UnmarshalJSON(raw)
	} else if raw[0] == '"' {
		var s string
		_ = json.Unmarshal(raw, &s)
		err = v.(interface{ UnmarshalText([]byte) error }).UnmarshalText([]byte(s))
	} else {
		err = errors.New("must be a string")
	}
	if err != nil {
		return &Error{Path: path, Problem: name(path) + ": " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	return nil
}

// skip reads the rest of a value whose first token was tok (any type is wanted).
func (w *walker) skip(tok json.Token, path string) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := w.dec.Token()
		if err != nil {
			return w.syntax(err, path)
		}
		if d, ok = t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// mismatch is the error of a value of the wrong kind.
func (w *walker) mismatch(tok json.Token, t reflect.Type, path, unit string) error {
	return &Error{Path: path, Problem: fmt.Sprintf("%s must be %s, not %s", name(path), expected(t, unit), kindOf(tok))}
}

func (w *walker) syntax(err error, path string) error {
	if err == nil {
		return nil
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Path: path, Syntax: true, Problem: "the JSON ends too early" + offset(w.dec)}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if se, ok := err.(*json.SyntaxError); ok {
		return &Error{Path: path, Syntax: true, Problem: fmt.Sprintf("the JSON is not valid at byte %d: %s", se.Offset, msg)}
	}
	return &Error{Path: path, Syntax: true, Problem: "the JSON is not valid: " + msg + offset(w.dec)}
}

func offset(dec *json.Decoder) string { return fmt.Sprintf(" (at byte %d)", dec.InputOffset()) }

// join appends an object member to a path.
func join(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

// name is how a message names the value at path.
func name(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

// at puts a path before a problem.
func at(path, problem string) string { return name(path) + " " + problem }
