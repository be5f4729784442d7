package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// flakyStore fails its first project read, as a database connection that drops does, and
// then answers with a project that an API key owns.
type flakyStore struct {
	store.Store
	reads int
}

func (f *flakyStore) GetProject(_ context.Context, id string) (*simvid.Project, error) {
	f.reads++
	if f.reads == 1 {
		return nil, errors.New("store: get project: connection refused")
	}
	return &simvid.Project{ID: id, OwnerKey: "key_someone_else"}, nil
}

// The owner check must not let a request through unchecked when it cannot read the owner:
// a failing read is a 5xx, never a pass to a handler whose own read may then succeed and
// show another owner's project.
func TestOwnerCheckFailsClosed(t *testing.T) {
	st := &flakyStore{}
	s := httpapi.New(httpapi.Deps{Log: zap.NewNop(), Service: service.New(service.Deps{Store: st, Log: zap.NewNop()})})
	id := simvid.NewID(simvid.PrefixProject)
	rec := newRecorder(s, http.MethodGet, "/api/v1/projects/"+id)
	if rec.Code < 500 {
		t.Fatalf("GET a project while its owner cannot be read: %d %s; want a 5xx", rec.Code, rec.Body)
	}
	if st.reads != 1 {
		t.Errorf("the request went on to its handler (%d project reads) after the owner check could not read the owner", st.reads)
	}
	if body := rec.Body.String(); strings.Contains(body, "connection refused") || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		t.Errorf("the answer must be JSON without the internal cause: %s", body)
	}
}
