package app_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// cutFile writes the first n bytes of src (n < 0: all but the last -n) as dir/name.
func cutFile(t *testing.T, src, dir, name string, n int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n < 0 {
		n += len(b)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, b[:n], 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDamagedPictureAmongGoodOnes: one request with a good picture and a damaged one, on a
// v1 upload route and on the origin /upload_images: the good one lands, the damaged one is
// refused with its name and why. Before, both were taken (a half-grey slide).
func TestDamagedPictureAmongGoodOnes(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	dir := t.TempDir()
	good := testutil.Image(t, dir, "good.jpg", 320, 240, "red")
	whole := filepath.Join(dir, "whole.jpg")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=800x600",
		"-frames:v", "1", "-q:v", "2", whole).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, b)
	}

	t.Run("v1", func(t *testing.T) {
		r := c.json(http.MethodPost, "/api/v1/projects", nil)
		pid := r.JSON(t)["id"].(string)
		half := cutFile(t, whole, dir, "holiday.jpg", 20000)
		r = c.upload("/api/v1/projects/"+pid+"/images", "images", []string{good, half}, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		results := r.JSON(t)["results"].([]any)
		ok0, res1 := results[0].(map[string]any)["ok"], results[1].(map[string]any)
		if ok0 != true || res1["ok"] != false {
			t.Fatalf("results: %s", r.Body)
		}
		e := res1["error"].(map[string]any)
		if e["code"] != "unprocessable" || e["message"] != "holiday.jpg is damaged: the file ends early" {
			t.Fatalf("damaged picture's error: %v", e)
		}
		if slides := r.JSON(t)["project"].(map[string]any)["slides"].([]any); len(slides) != 1 {
			t.Fatalf("want 1 slide, got %d", len(slides))
		}
		// Alone, it is refused with the status of its error.
		if msg := wantError(t, c.upload("/api/v1/projects/"+pid+"/images", "images", []string{half}, nil),
			http.StatusUnprocessableEntity, "unprocessable"); !strings.Contains(msg, "holiday.jpg is damaged") {
			t.Fatalf("alone: %s", msg)
		}
	})

	t.Run("origin", func(t *testing.T) {
		first := cutFile(t, whole, dir, "first3000.jpg", 3000)
		r := c.upload("/upload_images", "images", []string{good, first}, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		body := r.JSON(t)
		images, _ := body["images"].([]any)
		rejected, _ := body["rejected"].([]any)
		if len(images) != 1 || images[0].(map[string]any)["filename"] != "good.jpg" || body["total_count"] != float64(1) {
			t.Fatalf("images: %s", r.Body)
		}
		if len(rejected) != 1 || rejected[0].(map[string]any)["filename"] != "first3000.jpg" ||
			rejected[0].(map[string]any)["error"] != "first3000.jpg is damaged: the file ends early" {
			t.Fatalf("rejected: %s", r.Body)
		}
	})
}

// TestPolyglotMusicOneAnswer: an "MP3" that is an ID3 tag and an HLS playlist gets the same
// answer whether the playlist names a file that exists or one that does not (it was 415
// against 422), and the answer says it is not a sound file this server accepts.
func TestPolyglotMusicOneAnswer(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	dir := t.TempDir()
	real := testutil.Tone(t, dir, "real.mp3", 1)
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	var answers []string
	for _, target := range []string{real, filepath.Join(dir, "missing.mp3")} {
		song := filepath.Join(dir, "song.mp3")
		pl := "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:" + target + "\n#EXT-X-ENDLIST\n"
		if err := os.WriteFile(song, append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), pl...), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, route := range []string{"/api/v1/projects/" + pid + "/music", "/upload_audio"} {
			r := c.upload(route, "audio", []string{song}, nil)
			if r.Status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.Body), "song.mp3 is not a sound file this server accepts") {
				t.Errorf("%s, playlist of %s: %d %s", route, filepath.Base(target), r.Status, r.Body)
			}
			answers = append(answers, string(r.Body))
		}
	}
	if answers[0] != answers[2] || answers[1] != answers[3] {
		t.Fatalf("answers differ with the playlist's target:\n%s", strings.Join(answers, "\n"))
	}
}
