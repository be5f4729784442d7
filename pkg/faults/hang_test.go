package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// TestFFmpegPastDeadline: a render that needs longer than jobs.render_timeout (2 s) is
// killed at its deadline, tried once more (jobs.max_attempts 2), then failed with a message
// that says why; no ffmpeg is left running.
func TestFFmpegPastDeadline(t *testing.T) {
	c := newCluster(t, "", "SIMVID_JOBS_RENDER_TIMEOUT=2s", "SIMVID_JOBS_MAX_ATTEMPTS=2")
	web := c.Serve("serve")
	c.Work("work")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Well over a minute of work on this machine, in parts of about 4 s: every frame of a
	// moving 1080p slide is resampled and encoded (a still slide's holds and fades are made
	// in the bitstream in a fraction of a second, and a retry would find them cached).
	s := show{n: 6, w: 1920, h: 1080, secs: 4, res: "1920x1080", motion: "zoom-in"}
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, project(t, ctx, web.URL, s))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	t.Logf("tried: render %s (%d frames at 1920x1080) with a 2 s deadline and 2 attempts", r.ID, s.frames())
	var seen []string
	last := ""
	for {
		g, err := api.GetRender(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if step := g.State + ": " + g.Message; step != last {
			last = step
			seen = append(seen, time.Since(start).Round(100*time.Millisecond).String()+" "+step)
		}
		if g.Finished() {
			t.Logf("saw the render go through: %s", strings.Join(seen, " | "))
			if g.State != "failed" {
				t.Fatalf("render %s ended %s; want failed past its deadline", r.ID, g.State)
			}
			if !strings.Contains(g.Error, "took longer than 2s") {
				t.Fatalf("render %s failed with %q; want a message saying it took longer than 2s", r.ID, g.Error)
			}
			var attempts struct {
				Attempts int `json:"attempts"`
			}
			_ = getJSON(web.URL+"/api/v1/renders/"+r.ID, &attempts)
			t.Logf("saw: failed after %v and %d attempts: %q", time.Since(start).Round(10*time.Millisecond), attempts.Attempts, g.Error)
			if attempts.Attempts != 2 {
				t.Errorf("render %s made %d attempts; want 2 (jobs.max_attempts)", r.ID, attempts.Attempts)
			}
			break
		}
		if time.Since(start) > 40*time.Second {
			t.Fatalf("render %s still %s after 40 s with a 2 s deadline (seen: %s)", r.ID, g.State, strings.Join(seen, " | "))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if left := ffmpegsIn(c.Data); left != "" {
		t.Fatalf("ffmpeg still running after the render failed:\n%s", left)
	}
	t.Logf("saw: no ffmpeg running on %s", c.Data)
}
