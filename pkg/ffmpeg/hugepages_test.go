package ffmpeg_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/testutil"
)

// A run that decodes a large picture (thumb_still, thumbnail, still) asks glibc for huge pages
// (GLIBC_TUNABLES, the operator's own tunables kept), and so faults its frames in with far
// fewer page faults than the same decode as another kind; an encoder's run is left as it is.
// The wrapper records each run's tunables and minor page faults (GNU time).
func TestPictureDecodesUseHugePages(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("SKIPPED LOUDLY: /usr/bin/time (GNU time) is not installed")
	}
	dir := t.TempDir()
	pic := filepath.Join(dir, "big.png")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=2560x1920", "-frames:v", "1", pic).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, b)
	}
	logf := filepath.Join(dir, "runs.log")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := "#!/bin/sh\necho \"tunables=$GLIBC_TUNABLES\" >>" + logf + "\nexec /usr/bin/time -a -o " + logf + " -f 'faults=%R' ffmpeg \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
	r := ffmpeg.New(wrapper, "", zaptest.NewLogger(t))
	args := []string{"-f", "png_pipe", "-i", pic, "-vf", "scale=1920:1440,format=gbrp", "-f", "null", "-"}
	run := func(k ffmpeg.Kind) (tunables string, faults int) {
		_ = os.Remove(logf)
		if err := r.As(k).Run(context.Background(), args, nil); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(logf)
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "tunables="); ok {
				tunables = v
			} else if v, ok := strings.CutPrefix(l, "faults="); ok {
				faults, _ = strconv.Atoi(v)
			}
		}
		return tunables, faults
	}
	for _, k := range []ffmpeg.Kind{ffmpeg.KindThumbStill, ffmpeg.KindThumbnail, ffmpeg.KindStill} {
		if tun, _ := run(k); tun != "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=2" {
			t.Errorf("%s runs with GLIBC_TUNABLES=%q, want huge pages and the operator's arena_max", k, tun)
		}
	}
	if tun, _ := run(ffmpeg.KindSegment); tun != "glibc.malloc.arena_max=2" {
		t.Errorf("a segment runs with GLIBC_TUNABLES=%q, want the operator's alone", tun)
	}
	thp, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if !strings.Contains(string(thp), "[madvise]") && !strings.Contains(string(thp), "[always]") {
		t.Logf("transparent huge pages are off here (%q): the page faults are not compared", strings.TrimSpace(string(thp)))
		return
	}
	_, huge := run(ffmpeg.KindThumbStill)
	_, small := run(ffmpeg.KindOther)
	t.Logf("minor page faults: %d with huge pages, %d without", huge, small)
	if huge <= 0 || small <= 0 || float64(huge) > 0.8*float64(small) {
		t.Errorf("the picture decode faulted %d times with huge pages, %d without: want at most 0.8x", huge, small)
	}
}
