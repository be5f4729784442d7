package service

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/simvid"
)

// OneCall is a render of a full spec in one request (POST /api/v1/renders).
type OneCall struct {
	// ProjectID is the project the spec's files were uploaded to; "" takes the project of
	// the first slide's known asset, or makes a new project when every slide is a link.
	ProjectID string
	Spec      json.RawMessage // the spec as sent, whose slides and music may give a "url" for an "asset"
	Owner     string          // the caller's API key id ("" anonymous): owns a new project; another's is not found
	Client    string          // whose unfinished renders are counted
	Callback  string
	Base      string // the public base of links in the webhook
	// Check is the caller's own check of the request (its callback, its quota), made once the
	// spec is read and before anything is made; nil: none.
	Check func(ctx context.Context) error
}

// RenderOneCall renders a full spec in one call. Slides and music name assets uploaded to
// the project, or links: pictures and music by link are fetched by the audio queue while the
// render waits in preparing. Every link is checked before anything is made.
func (s *Service) RenderOneCall(ctx context.Context, in OneCall) (*simvid.Render, error) {
	if len(in.Spec) == 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "spec: give the render spec (slides with asset ids or urls, optional audio, output...)")
	}
	raw, links, err := takeLinks(in.Spec)
	if err != nil {
		return nil, err
	}
	var spec simvid.Spec
	if err := jsonbody.Decode(raw, &spec, "spec"); err != nil {
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s", err.Error())
	}
	if in.ProjectID == "" {
		for _, sl := range spec.Slides {
			if a, err := s.store.GetAsset(ctx, sl.Asset); err == nil {
				in.ProjectID = a.ProjectID
				break
			}
		}
	}
	if in.Check != nil {
		if err := in.Check(ctx); err != nil {
			return nil, err
		}
	}
	for i, u := range links.pictures {
		if _, err := s.CheckPictureLink(u); err != nil {
			return nil, slideLinkError(i, err)
		}
	}
	if links.music != "" {
		if _, err := s.CheckMusicLink(links.music); err != nil {
			return nil, err
		}
	}
	var p *simvid.Project
	if in.ProjectID == "" && links.all(len(spec.Slides)) {
		if p, err = s.CreateProject(ctx, &Settings{}, in.Owner); err != nil {
			return nil, err
		}
	} else {
		if !simvid.ValidID(simvid.PrefixProject, in.ProjectID) {
			return nil, simvid.Errorf(simvid.EUnprocessable, "project_id: name the project the files were uploaded to")
		}
		if p, err = s.GetProject(ctx, in.ProjectID); err != nil {
			return nil, err
		}
		if p.OwnerKey != "" && p.OwnerKey != in.Owner {
			return nil, simvid.Errorf(simvid.ENotFound, "project not found")
		}
	}
	for i, u := range links.pictures {
		a, err := s.AddImageLink(ctx, p.ID, u)
		if err != nil {
			return nil, slideLinkError(i, err)
		}
		spec.Slides[i].Asset = a.ID
	}
	if links.music != "" {
		// The link becomes the project's music: the audio queue fetches it while the render
		// waits in preparing, as it waits for uploaded music.
		clip := &spec.Audio[0]
		_, a, err := s.SetMusicLink(ctx, p.ID, links.music, clip.Start, clip.End)
		if err != nil {
			return nil, err
		}
		clip.Asset = a.ID
	}
	return s.RenderSpec(ctx, p.ID, spec, in.Client, in.Callback, in.Base)
}

// slideLinkError names the slide whose picture link was refused.
func slideLinkError(i int, err error) error {
	return simvid.Wrap(simvid.ErrorCode(err), err, "spec.slides[%d].url: %s", i, simvid.ErrorMessage(err))
}

// specLinks are the files a one-call spec names by link.
type specLinks struct {
	pictures map[int]string // slide index -> link
	music    string
}

// all reports whether every one of n slides is given by link.
func (l specLinks) all(n int) bool { return n > 0 && len(l.pictures) == n }

// takeLinks takes the files a spec names by link out of it: a slide's "url" instead of its
// "asset", and music's "url" (one clip at most, as a project has one music).
func takeLinks(spec json.RawMessage) (json.RawMessage, specLinks, error) {
	links := specLinks{pictures: map[int]string{}}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(spec))
	dec.UseNumber() // numbers go back as they came: 1e309 is then refused by name, not here
	if err := dec.Decode(&m); err != nil || m == nil {
		var s simvid.Spec // for the error that says what is wrong where
		if err := jsonbody.Decode(spec, &s, "spec"); err != nil {
			return nil, links, simvid.Errorf(simvid.EUnprocessable, "%s", err.Error())
		}
		return nil, links, simvid.Errorf(simvid.EUnprocessable, "spec must be an object")
	}
	slides, _ := m["slides"].([]any)
	for i, sl := range slides {
		o, ok := sl.(map[string]any)
		if !ok || o["url"] == nil {
			continue
		}
		u, ok := o["url"].(string)
		if !ok {
			return nil, links, simvid.Errorf(simvid.EUnprocessable, "spec.slides[%d].url must be a string", i)
		}
		if o["asset"] != nil {
			return nil, links, simvid.Errorf(simvid.EUnprocessable, "spec.slides[%d]: give an asset or a url, not both", i)
		}
		links.pictures[i] = u
		delete(o, "url")
	}
	audio, _ := m["audio"].([]any)
	for i, a := range audio {
		o, ok := a.(map[string]any)
		if !ok || o["url"] == nil {
			continue
		}
		u, ok := o["url"].(string)
		if !ok || i > 0 || len(audio) > 1 {
			return nil, links, simvid.Errorf(simvid.EUnprocessable, "spec.audio: music by url must be the only clip, and its url a string")
		}
		if o["asset"] != nil {
			return nil, links, simvid.Errorf(simvid.EUnprocessable, "spec.audio[0]: give an asset or a url, not both")
		}
		links.music = u
		delete(o, "url")
	}
	if links.music == "" && len(links.pictures) == 0 {
		return spec, links, nil
	}
	raw, err := json.Marshal(m)
	return raw, links, err
}
