package admin

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/web"
)

// page serves the admin page; its script and style come from /static/admin/ with
// versioned URLs, like the main page's.
func (a *Admin) page(c echo.Context) error {
	b, err := fs.ReadFile(web.FS(), "admin/index.html")
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, b)
}
