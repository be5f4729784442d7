package service_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
)

// The fast tests run the service of servicetest.New: a temporary SQLite database and data
// directory, a queue that records, and an intake whose ffmpeg does not exist. The few that
// need real intake take servicetest.RealIntake, which skips loudly without ffmpeg.

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !simvid.IsCode(err, code) {
		t.Fatalf("error %v (code %q); want code %q", err, simvid.ErrorCode(err), code)
	}
}

// slideIDs lists a spec's slide ids in order.
func slideIDs(p *simvid.Project) []string {
	ids := make([]string, len(p.Spec.Slides))
	for i, sl := range p.Spec.Slides {
		ids[i] = sl.ID
	}
	return ids
}

// upload is a received file of the given bytes.
func upload(name string, b []byte) service.Upload {
	return service.Upload{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// begin starts a parallel test over a fresh service (change adjusts its Deps) with one empty
// anonymous project.
func begin(t *testing.T, change ...func(*service.Deps)) (context.Context, *servicetest.Env, *simvid.Project) {
	t.Helper()
	t.Parallel()
	f := servicetest.New(t, change...)
	return context.Background(), f, f.Project(t, "")
}
