package app_test

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestRoomCheckedBeforeDecode: with room for 2 pictures, a request of 30 lands 2 and refuses
// the other 28 at once, each with its reason, without decoding them: the ffmpeg runs of the
// request are those of 2 pictures, not 30. Files past limits.files_per_request are refused
// for that reason.
func TestRoomCheckedBeforeDecode(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.RateLimits.Enabled = false
	cfg.Limits.ImagesPerProject = 2
	cfg.Limits.FilesPerRequest = 20
	bin, runs := testutil.CountingFFmpeg(t)
	cfg.FFmpeg.FFmpeg = bin
	c := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})}

	// 30 different small JPEGs from one ffmpeg run (testsrc moves from frame to frame).
	dir := t.TempDir()
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10", "-frames:v", "30",
		"-start_number", "0", filepath.Join(dir, "p%02d.jpg")).CombinedOutput(); err != nil {
		t.Fatalf("make pictures: %v %s", err, out)
	}
	var pics []string
	for i := range 30 {
		pics = append(pics, filepath.Join(dir, fmt.Sprintf("p%02d.jpg", i)))
	}

	// What one picture costs in ffmpeg runs.
	one := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	before := runs()
	if r := c.upload("/api/v1/projects/"+one+"/images", "images", pics[:1], nil); r.Status != http.StatusOK {
		t.Fatalf("one picture: %d %s", r.Status, r.Body)
	}
	perPicture := runs() - before
	if perPicture == 0 {
		t.Fatal("the counting ffmpeg was not used")
	}

	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	before = runs()
	r := c.upload("/api/v1/projects/"+pid+"/images", "images", pics, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	spent := runs() - before
	results := r.JSON(t)["results"].([]any)
	if len(results) != 30 {
		t.Fatalf("%d results for 30 files", len(results))
	}
	for i, x := range results {
		res := x.(map[string]any)
		switch {
		case i < 2:
			if res["ok"] != true {
				t.Fatalf("file %d refused: %v", i, res)
			}
		default:
			e, _ := res["error"].(map[string]any)
			msg, _ := e["message"].(string)
			want := "a project may hold at most 2 pictures"
			if i >= 20 {
				want = "one request may carry at most 20 pictures"
			}
			if res["ok"] != false || e["code"] != "too_large" || !strings.Contains(msg, want) || !strings.Contains(msg, fmt.Sprintf("p%02d.jpg", i)) {
				t.Fatalf("file %d: %v, want refused: %s", i, res, want)
			}
		}
	}
	t.Logf("ffmpeg runs: %d for one picture, %d for the request of 30", perPicture, spent)
	if spent > 2*perPicture {
		t.Fatalf("%d ffmpeg runs for a request with room for 2 pictures (%d each): refused files were decoded", spent, perPicture)
	}
	if n := len(c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t)["slides"].([]any)); n != 2 {
		t.Fatalf("%d slides, want 2", n)
	}
}
