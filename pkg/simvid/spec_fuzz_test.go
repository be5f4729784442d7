package simvid

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzSpec decodes arbitrary JSON as a render spec the way POST /api/v1/renders does
// (unknown fields refused), then normalizes and validates it. Nothing may panic; a refusal
// must be a coded error; and a spec that passes must pass again after a JSON round trip, so
// what the API stored is what the worker renders.
func FuzzSpec(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"slides":[]}`,
		`{"output":{"resolution":"1920x1080","fps":30,"quality":"standard"},"slides":[{"asset":"img_a","duration":3}]}`,
		`{"output":{"aspect":"9:16","lines":720},"slides":[{"asset":"img_a","caption":"it's 5:00 \\ [x]; %{pts}"}]}`,
		`{"output":{"aspect":"4:5","lines":-1}}`, `{"output":{"resolution":"99999999x1"}}`,
		`{"output":{"resolution":"0x0","fps":1e308}}`,
		`{"defaults":{"duration":1e309}}`, `{"defaults":{"duration":-0,"fit":"cover","motion":"auto","motion_strength":0.5}}`,
		`{"slides":[{"asset":"img_a","focus":[0.5]}],"transition":{"name":"random","duration":2}}`,
		`{"slides":[{"asset":"img_a","focus":[2,-1,3]}]}`,
		`{"slides":[{"asset":"img_a","caption_style":{"position":"top","size":99,"color":"#zzzzzz","backdrop":"box"}}]}`,
		`{"title":{"text":"hi","duration":3,"background":"#000000"},"end":{"text":""}}`,
		`{"audio":[{"asset":"aud_a","start":30,"end":10}],"music":{"fit":"slides","fade_in":31,"volume":5}}`,
		`{"slides":[{"asset":"img_a","transition":"fade","duration":0.5},{"asset":"img_b","duration":0.5}],"transition":{"name":"fade","duration":2}}`,
		`{"unknown":1}`, `{"slides":[{"asset":"img_a","url":"http://127.0.0.1/"}]}`,
	} {
		f.Add([]byte(seed))
	}
	transitions := []string{"fade", "wipeleft", "dissolve"}
	lim := Limits{MaxSlides: 200, MaxVideoLength: 1800}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Spec
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return
		}
		s.Normalize()
		if err := s.Validate(transitions, lim); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("refusal is not a coded error: %#v", err)
			}
			return
		}
		for i := range s.Slides {
			_, _, _, _ = s.SlideDuration(i), s.SlideFit(i), s.TransitionOut(i), s.SlideMotion(i)
			_, _ = s.SlideStrength(i), s.SlideCaptionStyle(i)
		}
		_ = s.Frozen()
		_ = s.Output.ForRender()
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("a valid spec does not marshal: %v", err)
		}
		var again Spec
		if err := json.Unmarshal(raw, &again); err != nil {
			t.Fatalf("a valid spec does not decode again: %v\n%s", err, raw)
		}
		again.Normalize()
		if err := again.Validate(transitions, lim); err != nil {
			t.Fatalf("a valid spec is refused after a round trip: %v\n%s", err, raw)
		}
	})
}
