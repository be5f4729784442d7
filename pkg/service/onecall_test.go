package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// The one-call render reads the spec, then lets the caller check the request (its callback
// and quota), and only then makes anything: a refused request leaves no project behind.
func TestRenderOneCallOrder(t *testing.T) {
	ctx := context.Background()
	s := newSeam(t, service.Limits{})
	refused := errors.New("callback refused")
	checked := 0
	call := func(projectID, spec string) (*simvid.Render, error) {
		return s.svc.RenderOneCall(ctx, service.OneCall{ProjectID: projectID, Spec: json.RawMessage(spec), Owner: "key_a",
			Check: func(context.Context) error { checked++; return refused }})
	}

	_, err := call("", "")
	seamWantError(t, "no spec", err, simvid.EUnprocessable, "spec: give the render spec (slides with asset ids or urls, optional audio, output...)")
	_, err = call("", `{"slides":[{"url":"https://example.com/a.jpg","asset":"img_x"}]}`)
	seamWantError(t, "a slide with an asset and a url", err, simvid.EUnprocessable, "spec.slides[0]: give an asset or a url, not both")
	_, err = call("", `{"audio":[{"url":"https://example.com/a.mp3"},{"asset":"aud_x"}]}`)
	seamWantError(t, "music by url among other clips", err, simvid.EUnprocessable, "spec.audio: music by url must be the only clip, and its url a string")
	_, err = call("", `{"slides":[{"url":7}]}`)
	seamWantError(t, "a url that is not a string", err, simvid.EUnprocessable, "spec.slides[0].url must be a string")
	_, err = call("", `[1]`)
	if simvid.ErrorCode(err) != simvid.EUnprocessable {
		t.Errorf("a spec that is not an object: %v; want unprocessable", err)
	}
	if checked != 0 {
		t.Fatalf("the caller's check ran %d times for specs that could not be read", checked)
	}

	// Every slide a link: the check runs, refuses, and no project is made for the key.
	if _, err := call("", `{"slides":[{"url":"https://example.com/a.jpg"}]}`); !errors.Is(err, refused) || checked != 1 {
		t.Fatalf("links-only spec: %v after %d checks; want the check's refusal", err, checked)
	}
	if ps, _ := s.svc.KeyProjects(ctx, "key_a", 10); len(ps) != 0 {
		t.Errorf("a refused one-call render left %d projects", len(ps))
	}

	// Without project_id, the project is the one of the first slide's known asset; another
	// owner's project is not found.
	theirs := s.project(t, "key_b")
	pic := s.asset(t, theirs.ID, simvid.PrefixImage, simvid.KindImage, simvid.AssetReady)
	pass := func(context.Context) error { return nil }
	_, err = s.svc.RenderOneCall(ctx, service.OneCall{Spec: json.RawMessage(`{"slides":[{"asset":"img_unknown"},{"asset":"` + pic.ID + `"}]}`),
		Owner: "key_a", Check: pass})
	seamWantError(t, "a spec of another key's pictures", err, simvid.ENotFound, "project not found")
	_, err = s.svc.RenderOneCall(ctx, service.OneCall{Spec: json.RawMessage(`{"slides":[{"asset":"img_unknown"}]}`), Owner: "key_a", Check: pass})
	seamWantError(t, "a spec of unknown pictures", err, simvid.EUnprocessable, "project_id: name the project the files were uploaded to")

	// Picture links are checked before anything is made, and the refusal names the slide.
	_, err = s.svc.RenderOneCall(ctx, service.OneCall{Spec: json.RawMessage(`{"slides":[{"asset":"` + pic.ID + `"},{"url":"https://example.com/b.jpg"}]}`),
		ProjectID: theirs.ID, Owner: "key_b", Check: pass})
	if simvid.ErrorCode(err) != simvid.EUnavailable || !strings.HasPrefix(simvid.ErrorMessage(err), "spec.slides[1].url: ") {
		t.Errorf("a picture link on a server without links: %v; want unavailable naming spec.slides[1].url", err)
	}
}
