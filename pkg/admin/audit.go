package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/simvid/simvid/pkg/simvid"
	"go.uber.org/zap"
)

// audit records an admin action: who (the session, or "-" before login), what, when and
// from which IP. A failure to record is logged; it does not undo the action.
func (a *Admin) audit(c echo.Context, actor, action, target, detail string) {
	if actor == "" {
		actor = "-"
		if s := sessionOf(c); s != nil {
			actor = "admin#" + sessionKey(s.id)[len(sessionPrefix):][:8]
		}
	}
	e := &simvid.AuditEvent{Actor: actor, Action: action, Target: target, Detail: truncate(detail, 1000), IP: c.RealIP()}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
	defer cancel()
	if err := a.Service.RecordAudit(ctx, e); err != nil {
		a.Log.Error("admin: writing the audit log", zap.String("action", action), zap.Error(err))
	}
	a.Log.Info("admin action", zap.String("actor", actor), zap.String("action", action),
		zap.String("target", target), zap.String("ip", e.IP))
}

func (a *Admin) listAudit(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	events, err := a.Service.ListAudit(c.Request().Context(), simvid.AuditFilter{
		Action: c.QueryParam("action"), Before: before, Limit: queryInt(c, "limit", 100, 1000)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

// queryInt reads a positive integer query parameter with a default and a cap.
func queryInt(c echo.Context, name string, def, most int) int {
	n, err := strconv.Atoi(c.QueryParam(name))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, most)
}
