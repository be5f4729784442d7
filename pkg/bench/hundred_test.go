//go:build bench

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const (
	hundredPictures = 100
	hundredTarget   = 600 << 20 // issue 5: peak summed memory for 100 pictures of 4000x3000
)

// TestBenchHundred renders 100 distinct 4000x3000 JPEGs plus the corpus music on a fresh
// `simvid all` with the reference settings and prints the upload and render times and the
// peak summed memory of the process tree (ffmpeg children included) against the target.
func TestBenchHundred(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	_, corpus, bin, _, music := setup(ctx, t)
	pics := hundredCorpus(ctx, t, filepath.Join(filepath.Dir(corpus), "hundred"))
	work := t.TempDir()

	// 100 pictures are 100 upload requests (one a file, as the page sends them); this run
	// measures memory, not the rate limiter, so it is off.
	t.Setenv("SIMVID_RATE_LIMITS_ENABLED", "false")
	srv, logPath := startLoggedAll(ctx, t, bin, work)
	sampler := NewPeakSampler(srv.Pid(), sampleEvery)
	defer sampler.Stop()

	start := time.Now()
	out := filepath.Join(work, "hundred.mp4")
	_, renderID, phases, _, err := coldRun(ctx, NewClient(srv.URL), pics, music, out)
	sec := time.Since(start).Seconds()
	if err != nil {
		t.Fatalf("100 pictures: %v\n%s", err, tail(logPath))
	}
	m := Measure{"100 pictures, cold", sec, sampler.Stop()}

	say := sayer(t)
	say(fmt.Sprintf("simvid bench: %d distinct 4000x3000 JPEGs at %dx%d, %g s each, %g s fade, music; %d frames",
		hundredPictures, benchWidth, benchHeight, benchSeconds, benchFade, hundredPictures*90))
	for _, line := range Table(m) {
		say(line)
	}
	say(fmt.Sprintf("100 pictures: %s", phases))
	say(fmt.Sprintf("100 pictures: peak summed memory %.0f MB against the %d MB target",
		float64(m.PeakRSS)/(1<<20), hundredTarget>>20))

	v := probeVideo(ctx, t, out)
	want := videoFacts{Frames: hundredPictures * 90, Width: benchWidth, Height: benchHeight, PixFmt: "yuv420p", Audio: true}
	if v != want {
		t.Errorf("render %s: video is %s, want %s", renderID, v, want)
	}
}

// hundredCorpus makes (once; later runs reuse the folder) 100 distinct 4000x3000 JPEGs in
// dir: testsrc2 frames, whose timer and moving parts already differ frame to frame, with the
// hue turned per frame and per-frame noise so that every file is other content (nothing
// dedupes) and compresses like a photo. One ffmpeg writing all frames is far faster than
// 100 starts.
func hundredCorpus(ctx context.Context, t *testing.T, dir string) []string {
	t.Helper()
	pattern := filepath.Join(dir, "[0-9][0-9][0-9].jpg")
	if pics, _ := filepath.Glob(pattern); len(pics) == hundredPictures {
		return pics
	}
	// Written into a fresh folder then renamed, so an interrupted run leaves no half set.
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-threads", "2",
		"-f", "lavfi", "-i", "testsrc2=s=4000x3000:r=1",
		"-vf", "hue=h=t*37,noise=alls=12:allf=t", "-frames:v", fmt.Sprint(hundredPictures),
		"-q:v", "4", "-start_number", "1", filepath.Join(tmp, "%03d.jpg"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make the 100 pictures: %v\n%s", err, out)
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	pics, err := filepath.Glob(pattern)
	if err != nil || len(pics) != hundredPictures {
		t.Fatalf("%s: want %d pictures, found %d (%v)", dir, hundredPictures, len(pics), err)
	}
	return pics
}
