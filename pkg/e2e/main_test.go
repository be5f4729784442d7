// Package e2e tests the built simvid binary as a process: the origin-compatible routes, the
// v1 API on real corpus pictures, and a restart in the middle of a render.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

var (
	corpusDir string
	corpusErr error
	corpusMu  sync.Once
)

// binary builds simvid once for the whole package (shared with the other suites).
func binary(t *testing.T) string {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	return testutil.SimvidBinary(t)
}

// corpus builds the reference corpus (scripts/corpus.sh, the same pictures as
// ../shared/bench) once, under the module's .bench folder.
func corpus(t *testing.T) string {
	t.Helper()
	testutil.Need(t, "bash")
	corpusMu.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		root, err := testutil.ModuleRoot(ctx)
		if err != nil {
			corpusErr = err
			return
		}
		dir := filepath.Join(root, ".bench", "corpus")
		if env := os.Getenv("SIMVID_BENCH_CORPUS"); env != "" {
			dir = env
		}
		out, err := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "corpus.sh"), dir).CombinedOutput()
		if err != nil {
			corpusErr = fmt.Errorf("corpus.sh: %v\n%s", err, out)
			return
		}
		corpusDir = dir
	})
	if corpusErr != nil {
		testutil.Missing(t, corpusErr.Error())
	}
	return corpusDir
}

// startAll starts `simvid all` on a fresh data directory (or the given one).
func startAll(t *testing.T, dataDir string, env ...string) *bench.Server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	bin := binary(t) // may build: before the start-up clock runs
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, e := range env {
		k, v, _ := cutEnv(e)
		t.Setenv(k, v)
	}
	s, err := bench.StartAll(ctx, bin, dataDir, testWriter{t}, 45*time.Second)
	if err != nil {
		t.Fatalf("start simvid all: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop(20 * time.Second) })
	return s
}

func cutEnv(e string) (string, string, bool) {
	for i := 0; i < len(e); i++ {
		if e[i] == '=' {
			return e[:i], e[i+1:], true
		}
	}
	return e, "", false
}

// testWriter sends the process's output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("simvid: %s", p)
	return len(p), nil
}
