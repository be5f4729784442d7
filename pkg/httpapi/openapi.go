package httpapi

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/httpapi/openapi"
)

var openAPIJSON = sync.OnceValues(openapi.JSON)

// openAPI serves the OpenAPI 3.1 document of the v1 API.
func (s *Server) openAPI(c echo.Context) error {
	b, err := openAPIJSON()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}
