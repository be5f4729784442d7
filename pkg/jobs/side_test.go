package jobs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// The poster and the music's pieces are made beside the video slots one after the other, not
// at once: each is an ffmpeg of 50 to 80 MB, and both beside two encoders took the bench's
// cold render past its 300 MB peak (issue 20). ffmpeg runs through a wrapper that logs when
// each run starts and ends, and holds those two kinds for 0.3 s so that runs at once overlap.
func TestPosterAndMusicTakeTurns(t *testing.T) {
	k := newRenderKit(t, 2, 2)
	a := k.music(440, 4)
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: a.ID}} })
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := `#!/bin/sh
kind=other
case "$*" in *"/posters/"*) kind=poster ;; *"/pieces/"*) kind=music ;; esac
echo "$kind start $(date +%s%N)" >>` + logf + `
[ "$kind" = other ] || sleep 0.3
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
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	spans := map[string][2]int64{}
	running, most := 0, 0
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] == "other" {
			continue
		}
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		sp := spans[f[0]]
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
	if len(spans) != 2 {
		t.Fatalf("runs seen %v, want a poster and a music run\n%s", spans, b)
	}
	if most != 1 {
		t.Errorf("poster %v and music %v ran at once", spans["poster"], spans["music"])
	}
}
