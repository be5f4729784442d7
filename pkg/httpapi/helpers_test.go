package httpapi_test

import (
	"net/http/httptest"

	"github.com/simvid/simvid/pkg/httpapi"
)

func newRecorder(s *httpapi.Server, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}
