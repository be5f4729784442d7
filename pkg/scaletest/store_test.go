//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/simvid/simvid/pkg/bench"
)

// storeBytes is what the processes of the cluster shape moved to (up) and from (down) the
// object store, by role, read from each process's simvid_storage_bytes_total, and the
// renders the workers finished in that time (simvid_renders_total{outcome="done"}).
type storeBytes struct {
	Renders                              int
	ServeUp, ServeDown, WorkUp, WorkDown int64
}

// readStoreBytes scrapes every process's /metrics; call it before stopping them.
func readStoreBytes(t *testing.T, top *topology) (storeBytes, error) {
	t.Helper()
	var sb storeBytes
	for i, addr := range top.Metrics {
		m, err := scrape(addr)
		if err != nil {
			return sb, fmt.Errorf("process %d's metrics at %s: %w", i+1, addr, err)
		}
		up, down := int64(m[`simvid_storage_bytes_total{direction="up"}`]), int64(m[`simvid_storage_bytes_total{direction="down"}`])
		if i < len(top.Serves) {
			sb.ServeUp, sb.ServeDown = sb.ServeUp+up, sb.ServeDown+down
		} else {
			sb.WorkUp, sb.WorkDown = sb.WorkUp+up, sb.WorkDown+down
			sb.Renders += int(m[`simvid_renders_total{outcome="done"}`])
		}
	}
	return sb, nil
}

// scrape reads the plain samples of a /metrics page: series name with labels -> value.
func scrape(addr string) (map[string]float64, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	return bench.ReadMetrics(res.Body)
}

// dirFiles is what one process's data directory holds: relative path -> size, tmp/ left out.
type dirFiles map[string]int64

// checkDataDirs proves the cluster shape shared nothing but the bucket: every process had a
// directory of its own (distinct, none inside another); every file that outlives a job in
// any of them (projects/, cache/) is an object of the bucket with the same size, so what a
// process holds of another's work (a serve's copy of a video, a worker's of an upload)
// reached it through the store; and no worker keeps the videos it made (it uploads them and
// drops its copy: serving them is not its job). It returns one line per directory for the
// report.
func checkDataDirs(t *testing.T, top *topology) []string {
	t.Helper()
	for i, a := range top.DataDirs {
		for j, b := range top.DataDirs {
			if i == j {
				continue
			}
			if a == b || strings.HasPrefix(a+"/", b+"/") {
				t.Errorf("data directories %d and %d overlap: %s, %s", i+1, j+1, a, b)
			}
			sa, errA := os.Stat(a)
			sb, errB := os.Stat(b)
			if errA != nil || errB != nil || os.SameFile(sa, sb) {
				t.Errorf("data directories %d and %d: the same directory or unreadable (%v, %v)", i+1, j+1, errA, errB)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	prefix := top.Shape.storagePrefix + "/"
	objects := map[string]int64{}
	for oi := range top.S3.Client(t).ListObjects(ctx, top.S3.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			t.Errorf("list the bucket: %v", oi.Err)
			return nil
		}
		objects[strings.TrimPrefix(oi.Key, prefix)] = oi.Size
	}
	videos := 0
	for key := range objects {
		if isVideo(key) {
			videos++
		}
	}
	var lines []string
	for i, dir := range top.DataDirs {
		name := fmt.Sprintf("serve-%d", i+1)
		serve := i < len(top.Serves)
		if !serve {
			name = fmt.Sprintf("work-%d", i+1-len(top.Serves))
		}
		files, err := listDir(dir)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var bytes int64
		nvideo, stray := 0, 0
		for rel, size := range files {
			bytes += size
			osize, stored := objects[rel]
			if !stored || osize != size {
				stray++
				if stray <= 5 {
					t.Errorf("%s holds %s (%d bytes), which the bucket does not hold as is (stored %v, %d bytes)", name, rel, size, stored, osize)
				}
				continue
			}
			if isVideo(rel) {
				nvideo++
			}
		}
		if !serve && nvideo > 0 {
			t.Errorf("%s keeps %d finished videos: a worker uploads its outputs and drops them, it does not serve them", name, nvideo)
		}
		lines = append(lines, fmt.Sprintf("%-8s %s: %d files, %d MB, %d videos, %d files not in the bucket",
			name, dir, len(files), bytes>>20, nvideo, stray))
	}
	lines = append(lines, fmt.Sprintf("bucket: %d objects, %d videos", len(objects), videos))
	return lines
}

func isVideo(key string) bool {
	return strings.HasPrefix(key, "projects/") && strings.Contains(key, "/renders/") && strings.HasSuffix(key, ".mp4")
}

// listDir lists the regular files of a data directory, tmp/ (scratch) left out.
func listDir(root string) (dirFiles, error) {
	files := dirFiles{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files[rel] = info.Size()
		return nil
	})
	return files, err
}
