//go:build bench

package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchNewTrack measures a music-only change with a new track chosen at render time: the
// reference show rendered cold, then another track uploaded on its own (the origin's
// /upload_audio) and, once it is ready, the show rendered with it through /generate_video's
// audio_id (the same duration, transition and size: no video is encoded again). Its time,
// request to downloaded file, against the cold render's (target: at most 0.1x).
//
//	SIMVID_BENCH_CORPUS=$PWD/.bench/corpus go test -tags bench -run TestBenchNewTrack -count=1 -v ./pkg/bench
func TestBenchNewTrack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	_, _, bin, pics, music := setup(ctx, t)
	work := t.TempDir()
	// Debug level: the log says when the track is ready, and every ffmpeg the render ran.
	srv, logPath, stop := startLogged(ctx, t, bin, work, "--log-level", "debug")
	defer stop()
	c := NewClient(srv.URL)
	projectID, _, phases, coldRender, err := coldRun(ctx, c, pics, music, filepath.Join(work, "cold.mp4"))
	if err != nil {
		t.Fatalf("cold run: %v\n%s", err, tail(logPath))
	}
	// Another track: the same music backwards (other samples, other hash, same length).
	other := filepath.Join(work, "other.mp3")
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-i", music, "-af", "areverse", other).CombinedOutput(); err != nil {
		t.Fatalf("second track: %v %s", err, out)
	}
	body, ctype, err := multipartFiles("audio", []string{other})
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		AudioID string `json:"audio_id"`
	}
	if err := c.do(ctx, http.MethodPost, "/upload_audio", ctype, body, &up); err != nil {
		t.Fatal(err)
	}
	// Chosen once it is ready and what is made when music becomes ready is made (a person
	// picks a track after it uploaded); a release that makes nothing then is waited for 20 s.
	if err := waitLog(ctx, logPath, up.AudioID, "music ready", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := waitLog(ctx, logPath, up.AudioID, "music pieces", 20*time.Second); err != nil {
		t.Log(err)
	}
	if err := sleep(ctx, time.Second); err != nil { // the project's own mix_music (1 s debounce) is long done
		t.Fatal(err)
	}

	before, err := ScrapeUsage(ctx, srv.MetricsURL, srv.Pid())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var gen struct {
		JobID string `json:"job_id"`
	}
	req := map[string]any{"session_id": projectID, "audio_id": up.AudioID, "duration": benchSeconds,
		"transition": "fade", "resolution": fmt.Sprintf("%dx%d", benchWidth, benchHeight)}
	if err := c.doJSON(ctx, http.MethodPost, "/generate_video", req, &gen); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FollowRender(ctx, gen.JobID, pollEvery); err != nil {
		t.Fatalf("render with the new track: %v\n%s", err, tail(logPath))
	}
	dst := filepath.Join(work, "new-track.mp4")
	if _, err := c.Download(ctx, gen.JobID, dst); err != nil {
		t.Fatal(err)
	}
	sec := time.Since(start).Seconds()
	after, err := ScrapeUsage(ctx, srv.MetricsURL, srv.Pid())
	if err != nil {
		t.Fatal(err)
	}
	use := after.Sub(before)
	checkVideo(t, gen.JobID, probeVideo(ctx, t, dst))
	if keep := os.Getenv("SIMVID_BENCH_LOG"); keep != "" { // to read after the run
		if b, err := os.ReadFile(logPath); err == nil {
			_ = os.WriteFile(keep, b, 0o644)
		}
	}
	say := sayer(t)
	say(fmt.Sprintf("cold phases: %s", phases))
	say(fmt.Sprintf("new track at render time (/generate_video audio_id): %.2f s, %.3fx the cold render (%.2f s); target <= 0.1x",
		sec, sec/coldRender, coldRender))
	// What the new-track render ran (issue 20: where its time goes), at this load.
	runs := []string{}
	for _, k := range use.Kinds() {
		runs = append(runs, fmt.Sprintf("%s %.0f (%.2f CPU s)", k, use.Tools[k].Runs, use.Tools[k].CPU))
	}
	say(fmt.Sprintf("new-track render: ffmpeg runs by kind: %s; simvid's process tree %.2f CPU s; load average %s",
		strings.Join(runs, ", "), use.TreeCPU, LoadAverage()))
}

// waitLog waits until a line of the log holds both id and msg.
func waitLog(ctx context.Context, path, id, msg string, limit time.Duration) error {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, id) && strings.Contains(line, msg) {
				return nil
			}
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("no %q for %s in the log after %s", msg, id, limit)
}
