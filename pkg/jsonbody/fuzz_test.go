package jsonbody_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/simvid/simvid/pkg/jsonbody"
)

// FuzzDecode: Decode never panics, and it accepts exactly what encoding/json with unknown
// fields refused accepts, into the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"n","slides":[{"asset":"a","duration":2}]}`, `{"output":{"fps":1e309}}`,
		`{"tags":{"a":1}}`, `{"transtion":1}`, `[`, `{"slides":[{"style":{"size":5}}]}`, `null`, `{"any":[1,{"x":[]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got, want spec
		err := jsonbody.Decode(raw, &got, "")
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		werr := dec.Decode(&want)
		if werr == nil {
			if _, err := dec.Token(); err != io.EOF {
				werr = errors.New("more after the value")
			}
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: Decode %v, encoding/json %v", raw, err, werr)
		}
		if err == nil {
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(want)
			if !bytes.Equal(a, b) {
				t.Fatalf("%q: decoded %s, want %s", raw, a, b)
			}
		}
	})
}
