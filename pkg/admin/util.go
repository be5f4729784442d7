package admin

import (
	"io"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/simvid"
)

// readJSON decodes a small JSON body, refusing unknown fields, with errors that name the
// field by its JSON path; an empty body leaves dst as it is.
func readJSON(c echo.Context, dst any) error {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<16))
	if err != nil {
		return simvid.Errorf(simvid.EInvalid, "the request body could not be read")
	}
	if len(b) == 0 {
		return nil
	}
	if err := jsonbody.Decode(b, dst, ""); err != nil {
		return simvid.Errorf(simvid.EInvalid, "%s", truncate(err.Error(), 300))
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
