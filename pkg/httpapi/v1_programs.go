package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/apikey"
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
	ps, err := s.svc.KeyProjects(c.Request().Context(), key.ID, 500)
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
	ds, err := s.svc.WebhookDeliveries(c.Request().Context(), r.ID, 200)
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

// renderSpec renders a full spec in one call (service.RenderOneCall): its callback and the
// key's quota are checked as for any render, once the spec is read.
func (s *Server) renderSpec(c echo.Context) error {
	var in specRequest
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	r, err := s.svc.RenderOneCall(c.Request().Context(), service.OneCall{
		ProjectID: in.ProjectID, Spec: in.Spec, Owner: ownerOf(c), Client: clientOf(c),
		Callback: in.CallbackURL, Base: s.linkBase(c.Request()),
		Check: func(context.Context) error {
			return s.checkRenderOptions(c, &renderOptions{CallbackURL: in.CallbackURL})
		},
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/renders/"+r.ID)
	return c.JSON(http.StatusAccepted, viewRender(r))
}
