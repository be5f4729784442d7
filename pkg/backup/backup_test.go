package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/backup"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// A project with a picture: its row in the database and its file under the data directory.
type sample struct {
	project, asset string
	bytes          []byte
}

// open opens the database and data directory of o, closed when the test ends.
func open(t *testing.T, o backup.Options) (store.Store, *media.Files) {
	t.Helper()
	st, err := store.Open(context.Background(), o.DatabaseURL, o.DataDir, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ms, err := media.NewFiles(o.DataDir)
	if o.Remote != nil {
		ms, err = media.NewRemoteFiles(o.DataDir, o.Remote, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st, ms
}

func addSample(t *testing.T, o backup.Options, payload string) sample {
	t.Helper()
	ctx := context.Background()
	st, ms := open(t, o)
	defer st.Close() // closed before a restore replaces the database
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage, State: simvid.AssetReady}
	if err := st.CreateAsset(ctx, a); err != nil {
		t.Fatal(err)
	}
	path, err := ms.Original(p.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(payload), 0o640); err != nil {
		t.Fatal(err)
	}
	if o.Remote != nil { // the bucket holds the only copy, as on a host that did not make it
		if err := ms.Upload(ctx, path); err != nil {
			t.Fatal(err)
		}
		ms.DropLocal(path)
	}
	return sample{project: p.ID, asset: a.ID, bytes: []byte(payload)}
}

// present reports whether the sample's row and file are both there, with the same bytes.
func present(t *testing.T, o backup.Options, s sample) bool {
	t.Helper()
	ctx := context.Background()
	st, ms := open(t, o)
	defer st.Close()
	_, perr := st.GetProject(ctx, s.project)
	a, aerr := st.GetAsset(ctx, s.asset)
	path, _ := ms.Original(s.project, s.asset)
	if o.Remote != nil {
		ms.DropLocal(path) // read what the bucket holds
		path, _ = ms.Local(ctx, path)
	}
	b, ferr := os.ReadFile(path)
	t.Logf("  project %s: db err=%v, asset err=%v, file err=%v", s.project, perr, aerr, ferr)
	return perr == nil && aerr == nil && a.ProjectID == s.project && ferr == nil && bytes.Equal(b, s.bytes)
}

// checkRoundTrip backs up src, restores into dst (a new, empty place) and into src over
// later changes; it runs the same for SQLite and PostgreSQL.
func checkRoundTrip(t *testing.T, src, dst backup.Options) {
	ctx := context.Background()
	kept := addSample(t, src, "picture one")
	dir := filepath.Join(t.TempDir(), "backup")
	m, err := backup.Create(ctx, src, dir)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	t.Logf("backup: %+v", *m)
	if m.Files != 1 || m.Bytes != int64(len(kept.bytes)) {
		t.Fatalf("backup copied %d files, %d bytes; want 1 file of %d", m.Files, m.Bytes, len(kept.bytes))
	}
	if _, err := backup.Create(ctx, src, dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second backup into the same directory: %v, want a refusal", err)
	}

	t.Log("restore into an empty database and data directory:")
	if _, err := backup.Restore(ctx, dst, dir, false); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !present(t, dst, kept) {
		t.Fatal("restored copy lacks the project, its picture row or its file")
	}

	t.Log("restore over a place that holds projects:")
	later := addSample(t, src, "picture two, made after the backup")
	if _, err := backup.Restore(ctx, src, dir, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over existing projects without --force: %v, want a refusal naming --force", err)
	}
	if !present(t, src, later) {
		t.Fatal("a refused restore changed the existing data")
	}
	if _, err := backup.Restore(ctx, src, dir, true); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if !present(t, src, kept) {
		t.Fatal("forced restore lacks the backed-up project")
	}
	if present(t, src, later) {
		t.Fatal("forced restore kept a project made after the backup")
	}
}

func TestBackupRestoreSQLite(t *testing.T) {
	src := backup.Options{DataDir: t.TempDir(), Version: "test"}
	dst := backup.Options{DataDir: t.TempDir()}
	checkRoundTrip(t, src, dst)

	// A SQLite backup cannot be restored into PostgreSQL, and a directory without a
	// manifest is not a backup.
	if _, err := backup.Restore(context.Background(), dst, t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "not a simvid backup") {
		t.Fatalf("restore from a non-backup: %v", err)
	}
}

func TestBackupRestorePostgres(t *testing.T) {
	srv := storetest.StartServer(t)
	src := backup.Options{DatabaseURL: srv.URL, DataDir: t.TempDir(), Version: "test"}
	dst := backup.Options{DatabaseURL: createDatabase(t, srv.URL, "restored"), DataDir: t.TempDir()}
	checkRoundTrip(t, src, dst)
}

// With storage.url the project files are in the bucket: the backup copies them from there
// and a restore puts them back there, refusing a bucket that holds project files unless
// forced.
func TestBackupRestoreBucket(t *testing.T) {
	s3 := testutil.StartS3(t)
	bucket := func(prefix string) media.Remote {
		return mediastore.New(objstoretest.Open(t, s3, prefix))
	}
	src := backup.Options{DataDir: t.TempDir(), Version: "test", Remote: bucket("src")}
	dst := backup.Options{DataDir: t.TempDir(), Remote: bucket("dst")}
	checkRoundTrip(t, src, dst)
}

// createDatabase makes an empty database on the server of base and returns its URL.
func createDatabase(t *testing.T, base, name string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
