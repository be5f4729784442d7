package jobs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// The poster, the render's music and a mix_music job's music are made beside the video slots
// one after the other, not at once: each is an ffmpeg of 50 to 80 MB, and two beside two
// encoders took the bench's cold render past its 300 MB peak (issue 20). The mix job runs as
// the render starts, as in the bench; ffmpeg runs through a wrapper that logs when each run
// starts and ends, and holds those kinds for 0.3 s so that runs at once overlap.
func TestPosterAndMusicTakeTurns(t *testing.T) {
	k := newRenderKit(t, 2, 2)
	a := k.music(440, 4)
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: a.ID}} })
	if _, err := k.store.UpdateProject(k.ctx, k.render.ProjectID, func(p *simvid.Project) error {
		p.Spec = k.render.Spec
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := `#!/bin/sh
kind=other
case "$*" in *"/posters/"*) kind=poster ;; *"/pieces/"*) kind=music ;; esac
echo "$kind start $(date +%s%N)" >>` + logf + `
[ "$kind" = music ] && sleep 0.3
[ "$kind" = poster ] && sleep 1.5
ffmpeg "$@"; rc=$?
echo "$kind end $(date +%s%N)" >>` + logf + `
exit $rc
`
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	k.ff = ffmpeg.New(wrapper, "", zaptest.NewLogger(t))
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	plan, _ := k.plan(w)
	mixed := make(chan error, 1)
	go func() { // the mix job is taken once the poster's run has started
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if b, _ := os.ReadFile(logf); strings.Contains(string(b), "poster start") {
				break
			}
		}
		_, _, err := w.mixMusic(k.ctx, k.render.ProjectID)
		mixed <- err
	}()
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	if err := <-mixed; err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	spans, seen := map[string][2]int64{}, map[string]int{}
	running, most := 0, 0
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] == "other" {
			continue
		}
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		sp := spans[f[0]]
		seen[f[0]]++
		if f[1] == "start" {
			sp[0] = ns
			running++
		} else {
			sp[1] = ns
			running--
		}
		spans[f[0]] = sp
		most = max(most, running)
	}
	if seen["poster"] == 0 || seen["music"] == 0 {
		t.Fatalf("runs seen %v, want a poster and music\n%s", seen, b)
	}
	if most != 1 {
		t.Errorf("%d of the poster's and the music's runs at once, want 1\n%s", most, b)
	}
}
