package jsonbody_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/jsonbody"
)

type caption struct {
	Size float64 `json:"size,omitempty"`
}

type slide struct {
	Asset    string    `json:"asset"`
	Duration float64   `json:"duration,omitempty" unit:"seconds"`
	Focus    []float64 `json:"focus,omitempty"`
	Style    **caption `json:"style"`
}

type output struct {
	Resolution string `json:"resolution"`
	FPS        int    `json:"fps"`
	Lines      uint16 `json:"lines"`
}

type base struct {
	Name string `json:"name"`
}

type spec struct {
	base
	Output     output                 `json:"output"`
	Slides     []slide                `json:"slides"`
	Transition *struct{ Name string } `json:"transition"`
	Extra      json.RawMessage        `json:"extra"`
	Tags       map[string]int         `json:"tags"`
	When       *time.Time             `json:"when"`
	Any        any                    `json:"any"`
	Normalize  bool                   `json:"normalize"`
}

func TestDecodeNamesTheProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body, prefix, want string
		syntax             bool
	}{
		{body: `{"transtion":{"name":"fade"}}`, want: "unknown field transtion; did you mean transition?"},
		{body: `{"output":{"format":"gif"}}`, want: "unknown field output.format; output takes resolution, fps, lines"},
		{body: `{"output":{"resolutoin":"640x480"}}`, prefix: "spec", want: "unknown field spec.output.resolutoin; did you mean resolution?"},
		{body: `{"slides":[{"asset":"a"},{"asset":"b"},{"asset":"c"},{"asset":"d","duration":"2"}]}`, want: "slides[3].duration must be a number of seconds, not a string"},
		{body: `{"slides":[{"asset":"a","duration":1e309}]}`, want: "slides[0].duration is out of range (1e309)"},
		{body: `{"slides":[{"asset":7}]}`, want: "slides[0].asset must be a string, not the number 7"},
		{body: `{"slides":[{"asset":"a","focus":"middle"}]}`, want: "slides[0].focus must be a list of numbers, not a string"},
		{body: `{"slides":[{"asset":"a","focus":[0.5,true]}]}`, want: "slides[0].focus[1] must be a number, not true"},
		{body: `{"slides":[{"asset":"a","style":{"size":"big"}}]}`, want: "slides[0].style.size must be a number, not a string"},
		{body: `{"slides":{"asset":"a"}}`, want: "slides must be a list of objects, not an object"},
		{body: `{"output":{"fps":29.97}}`, want: "output.fps must be a whole number, not 29.97"},
		{body: `{"output":{"fps":1e3}}`, want: "output.fps must be a whole number, not 1e3"},
		{body: `{"output":{"lines":-1}}`, want: "output.lines must be a whole number, 0 or more, not -1"},
		{body: `{"output":{"lines":70000}}`, want: "output.lines is out of range (70000)"},
		{body: `{"output":{"fps":1e309}}`, want: "output.fps is out of range (1e309)"},
		{body: `{"output":"640x480"}`, want: "output must be an object, not a string"},
		{body: `{"tags":{"a":1,"b":"x"}}`, want: "tags.b must be a whole number, not a string"},
		{body: `{"when":"yesterday"}`, want: "when: "},
		{body: `{"normalize":"yes"}`, want: "normalize must be true or false, not a string"},
		{body: `{"name":3}`, want: "name must be a string, not the number 3"},
		{body: `{"zzzzzzzz":3}`, want: "unknown field zzzzzzzz; the body takes name, output, slides, transition, extra, tags, when, any, normalize"},
		{body: `[1,2]`, want: "the body must be an object, not a list"},
		{body: `[1,2]`, prefix: "spec", want: "spec must be an object, not a list"},
		{body: `{"output":{}} {}`, want: "the body has more after the end of the JSON value", syntax: true},
		{body: `{"output":{"fps":3,}}`, want: "the JSON is not valid", syntax: true},
		{body: `{"output":{"fps":3}`, want: "the JSON ends too early", syntax: true},
		{body: ``, want: "the JSON ends too early", syntax: true},
	} {
		var s spec
		err := jsonbody.Decode([]byte(tc.body), &s, tc.prefix)
		var je *jsonbody.Error
		if !errors.As(err, &je) {
			t.Errorf("%s: got %v, want a *jsonbody.Error", tc.body, err)
			continue
		}
		if !strings.HasPrefix(je.Error(), tc.want) || je.Syntax != tc.syntax {
			t.Errorf("%s:\n got  %q (syntax %v)\n want %q (syntax %v)", tc.body, je.Error(), je.Syntax, tc.want, tc.syntax)
		}
	}
}

func TestDecodeAcceptsWhatEncodingJSONAccepts(t *testing.T) {
	t.Parallel()
	body := `{"name":"n","output":{"resolution":"640x480","fps":25,"lines":480},
		"slides":[{"asset":"a","duration":1.5,"focus":[0.1,0.9],"style":{"size":5}},{"asset":"b","style":null}],
		"transition":{"Name":"fade"},"extra":{"anything":[1,{"x":null}]},"tags":{"a":1},
		"when":"2026-01-02T03:04:05Z","any":[{"deep":[true]}],"normalize":true,"Output":{"FPS":30}}`
	var got, want spec
	if err := jsonbody.Decode([]byte(body), &got, ""); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Fatalf("decoded\n %s\nwant\n %s", a, b)
	}
	if got.Output.FPS != 30 || (*got.Slides[0].Style).Size != 5 || got.Name != "n" {
		t.Fatalf("decoded %+v", got)
	}
	var pointers struct {
		D *float64 `json:"d" unit:"seconds"`
	}
	if err := jsonbody.Decode([]byte(`{"d":null}`), &pointers, ""); err != nil || pointers.D != nil {
		t.Fatalf("null: %v %v", err, pointers.D)
	}
	if err := jsonbody.Decode([]byte(`{"d":"1"}`), &pointers, ""); err == nil || err.Error() != "d must be a number of seconds, not a string" {
		t.Fatalf("string for *float64: %v", err)
	}
}

func TestDecodeLooseSkipsUnknownFields(t *testing.T) {
	t.Parallel()
	var s spec
	err := jsonbody.DecodeLoose([]byte(`{"youtube_url":"x","nested":{"a":[1,{"b":2}]},"name":"n"}`), &s, "")
	if err != nil || s.Name != "n" {
		t.Fatalf("loose: %v %+v", err, s)
	}
	if err := jsonbody.DecodeLoose([]byte(`{"other":1,"name":2}`), &s, ""); err == nil || err.Error() != "name must be a string, not the number 2" {
		t.Fatalf("loose type error: %v", err)
	}
}
