package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/simvid"
)

// listKeys lists every API key (never a secret), revoked ones too.
func (a *Admin) listKeys(c echo.Context) error {
	keys, err := a.Service.ListAPIKeys(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"keys": keys})
}

// createKey makes a key; its secret and webhook secret are in this answer only.
func (a *Admin) createKey(c echo.Context) error {
	if a.Keys == nil {
		return simvid.Errorf(simvid.ENotFound, "API keys are not available")
	}
	var in apikey.Options
	if err := readJSON(c, &in); err != nil {
		return err
	}
	k, err := a.Keys.Create(c.Request().Context(), in)
	if err != nil {
		return err
	}
	a.audit(c, "", "apikey.create", k.ID, "name "+truncate(k.Name, 100))
	return c.JSON(http.StatusCreated, k)
}

// revokeKey ends a key at once.
func (a *Admin) revokeKey(c echo.Context) error {
	if a.Keys == nil {
		return simvid.Errorf(simvid.ENotFound, "API keys are not available")
	}
	k, err := a.Keys.Revoke(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	a.audit(c, "", "apikey.revoke", k.ID, "")
	return c.JSON(http.StatusOK, k)
}

// listWebhooks lists webhook delivery attempts, newest first: ?render=<id> for one render's.
func (a *Admin) listWebhooks(c echo.Context) error {
	rid := c.QueryParam("render")
	if rid != "" && !simvid.ValidID(simvid.PrefixRender, rid) {
		return simvid.Errorf(simvid.EInvalid, "render: not a render id")
	}
	ds, err := a.Service.WebhookLog(c.Request().Context(), rid, queryInt(c, "limit", 100, 1000))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": ds})
}

// HasSession reports whether r carries a live admin session: in private mode it lets a
// logged-in admin make projects and renders from the page.
func (a *Admin) HasSession(r *http.Request) bool {
	if !a.Enabled() {
		return false
	}
	ck, err := r.Cookie(CookieName)
	if err != nil {
		return false
	}
	sess, err := a.sessions.get(r.Context(), ck.Value)
	return err == nil && sess != nil
}
