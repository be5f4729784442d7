package store_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/store/storetest"
	"go.uber.org/zap/zaptest"
)

func TestOpenSQLiteURLs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct{ url, file string }{
		{"", filepath.Join(dir, "data", "nested", "simvid.db")},
		{"sqlite://" + filepath.Join(dir, "abs", "a.db"), filepath.Join(dir, "abs", "a.db")},
		{"sqlite://rel/b.db", filepath.Join(dir, "rel", "b.db")},
		{"file:" + filepath.Join(dir, "f", "c.db") + "?cache=private", filepath.Join(dir, "f", "c.db")},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			s := openStore(t, tc.url, filepath.Join(dir, "data", "nested"))
			if s.Dialect() != store.DialectSQLite {
				t.Fatalf("Dialect = %q", s.Dialect())
			}
			p := newProject(t, s, nil)
			if _, err := os.Stat(tc.file); err != nil {
				t.Fatalf("database file: %v", err)
			}
			// Reopening runs the migrations again (a no-op) and finds the data.
			s2 := openStore(t, tc.url, filepath.Join(dir, "data", "nested"))
			if _, err := s2.GetProject(context.Background(), p.ID); err != nil {
				t.Fatalf("after reopen: %v", err)
			}
		})
	}
}

func TestOpenBadURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "sqlite://", "file::memory:", "postgres://u:secret@h/db?pool_max_conns=zero", "postgres://u:secret@h/db?pool_max_conns=0"} {
		s, err := store.Open(context.Background(), u, t.TempDir(), zaptest.NewLogger(t))
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", u)
		}
		if strings.Contains(err.Error(), "secret") || !strings.HasPrefix(err.Error(), "store: ") {
			t.Fatalf("Open(%q): error %q", u, err)
		}
	}
}

func TestPostgresUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := fmt.Sprintf("postgres://postgres:pw@127.0.0.1:%d/x?sslmode=disable&connect_timeout=2", port)
	_, err = store.Open(ctx, u, "", zaptest.NewLogger(t))
	if simvid.ErrorCode(err) != simvid.EUnavailable {
		t.Fatalf("Open on a closed port: code %q, error %v", simvid.ErrorCode(err), err)
	}
	if strings.Contains(err.Error(), "pw@") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestSQLiteUnavailable(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, "", dir)
	// A directory where the database file should be makes every open fail.
	bad := filepath.Join(dir, "isdir.db")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), "sqlite://"+bad, "", zaptest.NewLogger(t))
	if simvid.ErrorCode(err) != simvid.EUnavailable {
		t.Fatalf("Open on a directory: code %q, error %v", simvid.ErrorCode(err), err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteTwoProcesses opens the same file twice, as serve and a worker process would:
// BEGIN IMMEDIATE and busy_timeout must serialise their writers without SQLITE_BUSY.
func TestSQLiteTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	a, b := openStore(t, "", dir), openStore(t, "", dir)
	p := newProject(t, a, func(p *simvid.Project) { p.Spec.Slides = nil })
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateProject(context.Background(), p.ID, func(q *simvid.Project) error {
				q.Spec.Slides = append(q.Spec.Slides, simvid.Slide{Asset: "img"})
				return nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.GetProject(context.Background(), p.ID)
	if err != nil || len(got.Spec.Slides) != n {
		t.Fatalf("slides after two-store updates: %v, %v", got, err)
	}
}

// TestPostgresConcurrentOpen: several processes starting at once migrate once.
func TestPostgresConcurrentOpen(t *testing.T) {
	u := storetest.FreshSchema(t, storetest.StartPostgres(t))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(context.Background(), u, "", zaptest.NewLogger(t))
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openStore(t, u, "")
	if s.Dialect() != store.DialectPostgres {
		t.Fatalf("Dialect = %q", s.Dialect())
	}
}

// TestPostgresGoesAway: a database that stops answering gives EUnavailable errors.
func TestPostgresGoesAway(t *testing.T) {
	srv := storetest.StartServer(t)
	s := openStore(t, srv.URL, "")
	p := newProject(t, s, nil)
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.Ping(ctx)
	wantCode(t, "Ping after stop", err, simvid.EUnavailable)
	_, err = s.GetProject(ctx, p.ID)
	wantCode(t, "GetProject after stop", err, simvid.EUnavailable)
	_, err = s.UpdateProject(ctx, p.ID, func(*simvid.Project) error { return nil })
	wantCode(t, "UpdateProject after stop", err, simvid.EUnavailable)
}
