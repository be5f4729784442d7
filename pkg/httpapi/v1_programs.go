package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/webhook"
)

// renderOptions are the optional fields of POST /api/v1/projects/:id/renders.
type renderOptions struct {
	CallbackURL string `json:"callback_url"`
	Preview     bool   `json:"preview"` // a quick small draft (no callback)
}

// checkRenderOptions checks a render request's callback and the key's renders-per-day quota.
// A callback needs an API key: the key's webhook secret signs the calls.
func (s *Server) checkRenderOptions(c echo.Context, in *renderOptions) error {
	key := keyOf(c)
	if in.CallbackURL != "" {
		if key == nil {
			return simvid.Errorf(simvid.EUnauthorized, "callback_url needs an API key: its webhook secret signs the calls")
		}
		if err := apikey.CheckURL(in.CallbackURL); err != nil {
			return simvid.Errorf(simvid.EUnprocessable, "callback_url: %s", simvid.ErrorMessage(err))
		}
		if err := webhook.CheckTarget(c.Request().Context(), in.CallbackURL, s.WebhookAllow); err != nil {
			return simvid.Errorf(simvid.EUnprocessable, "callback_url: %s", err.Error())
		}
	}
	if key != nil && s.Keys != nil {
		return s.Keys.CheckRender(c.Request().Context(), key)
	}
	return nil
}

// listProjects lists the projects of the calling API key, most recently updated first.
func (s *Server) listProjects(c echo.Context) error {
	key := keyOf(c)
	if key == nil {
		return simvid.Errorf(simvid.EUnauthorized, "listing projects needs an API key (Authorization: Bearer sk_...)")
	}
	ps, err := s.svc.Store().ListProjects(c.Request().Context(), simvid.ProjectFilter{OwnerKey: key.ID, Limit: 500})
	if err != nil {
		return err
	}
	type item struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
		Slides    int       `json:"slides"`
		URL       string    `json:"url"`
	}
	out := make([]item, 0, len(ps))
	for _, p := range ps {
		out = append(out, item{p.ID, p.CreatedAt, p.UpdatedAt, len(p.Spec.Slides), "/api/v1/projects/" + p.ID})
	}
	return c.JSON(http.StatusOK, map[string]any{"projects": out})
}

// renderWebhooks lists every delivery attempt of a render's webhook, newest first.
func (s *Server) renderWebhooks(c echo.Context) error {
	r, err := s.renderOf(c)
	if err != nil {
		return err
	}
	ds, err := s.svc.Store().ListWebhookDeliveries(c.Request().Context(), r.ID, 200)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": ds})
}

// storageQuota refuses an upload that would take an API key past its storage quota: by its
// Content-Length before a byte is read, and by the bytes counted as they stream in, so that
// a chunked body meets the same quota.
func (s *Server) storageQuota(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := keyOf(c)
		if key == nil || s.Keys == nil {
			return next(c)
		}
		left, refusal, err := s.Keys.StorageRoom(c.Request().Context(), key)
		if err != nil {
			return err
		}
		if refusal == nil {
			return next(c)
		}
		return capBody(c, max(left, 0), refusal, next)
	}
}

// specRequest is POST /api/v1/renders: a full spec whose files were uploaded before.
type specRequest struct {
	ProjectID   string          `json:"project_id"`
	Spec        json.RawMessage `json:"spec"`
	CallbackURL string          `json:"callback_url"`
}

// renderSpec renders a full spec in one call. Slides and music name assets uploaded to
// project_id, or links: pictures and music by link are fetched by the audio queue while the
// render waits in preparing. A spec whose files are all links needs no project_id: a new
// project is made for it.
func (s *Server) renderSpec(c echo.Context) error {
	var in specRequest
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	if len(in.Spec) == 0 {
		return simvid.Errorf(simvid.EUnprocessable, "spec: give the render spec (slides with asset ids or urls, optional audio, output...)")
	}
	raw, links, err := takeLinks(in.Spec)
	if err != nil {
		return err
	}
	var spec simvid.Spec
	if err := jsonbody.Decode(raw, &spec, "spec"); err != nil {
		return simvid.Errorf(simvid.EUnprocessable, "%s", err.Error())
	}
	ctx := c.Request().Context()
	if in.ProjectID == "" {
		for _, sl := range spec.Slides {
			if a, err := s.svc.Store().GetAsset(ctx, sl.Asset); err == nil {
				in.ProjectID = a.ProjectID
				break
			}
		}
	}
	opts := renderOptions{CallbackURL: in.CallbackURL}
	if err := s.checkRenderOptions(c, &opts); err != nil {
		return err
	}
	for i, u := range links.pictures { // every link is checked before anything is made
		if _, err := s.svc.CheckPictureLink(u); err != nil {
			return slideLinkError(i, err)
		}
	}
	if links.music != "" {
		if _, err := s.svc.CheckMusicLink(links.music); err != nil {
			return err
		}
	}
	var p *simvid.Project
	if in.ProjectID == "" && links.all(len(spec.Slides)) {
		if p, err = s.svc.CreateProject(ctx, &service.Settings{}, ownerOf(c)); err != nil {
			return err
		}
	} else {
		if !simvid.ValidID(simvid.PrefixProject, in.ProjectID) {
			return simvid.Errorf(simvid.EUnprocessable, "project_id: name the project the files were uploaded to")
		}
		if p, err = s.svc.GetProject(ctx, in.ProjectID); err != nil {
			return err
		}
		if err := s.canSee(c, p.OwnerKey, "project"); err != nil {
			return err
		}
	}
	for i, u := range links.pictures {
		a, err := s.svc.AddImageLink(ctx, p.ID, u)
		if err != nil {
			return slideLinkError(i, err)
		}
		spec.Slides[i].Asset = a.ID
	}
	if links.music != "" {
		// The link becomes the project's music: the audio queue fetches it while the render
		// waits in preparing, as it waits for uploaded music.
		clip := &spec.Audio[0]
		_, a, err := s.svc.SetMusicLink(ctx, p.ID, links.music, clip.Start, clip.End)
		if err != nil {
			return err
		}
		clip.Asset = a.ID
	}
	r, err := s.svc.RenderSpec(ctx, p.ID, spec, clientOf(c), in.CallbackURL, s.linkBase(c.Request()))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/renders/"+r.ID)
	return c.JSON(http.StatusAccepted, viewRender(r))
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
