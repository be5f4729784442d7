package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// peakEnv, when set, makes the test binary run the command in its arguments instead of the
// tests, and append the command's peak resident memory (kB) to the file it names: the
// wrapper peakWrapper writes, so that a test reads what one ffmpeg run really took.
const peakEnv = "SIMVID_TEST_PEAK_RSS_TO"

func TestMain(m *testing.M) {
	if out := os.Getenv(peakEnv); out != "" {
		os.Exit(runMeasured(out, os.Args[1], os.Args[2:]))
	}
	os.Exit(m.Run())
}

func runMeasured(out, tool string, args []string) int {
	cmd := exec.Command(tool, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	f, ferr := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr == nil && ru != nil {
		fmt.Fprintln(f, ru.Maxrss) // kilobytes on Linux
		_ = f.Close()
	}
	return cmd.ProcessState.ExitCode()
}

// peakWrapper writes an executable that runs the real tool through this test binary and
// logs its peak RSS to logf; peaks reads them.
func peakWrapper(t *testing.T, dir, tool, logf string) string {
	t.Helper()
	real, err := exec.LookPath(tool)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := filepath.Join(dir, tool+"-peak")
	script := fmt.Sprintf("#!/bin/sh\n%s=%s exec %s %s \"$@\"\n", peakEnv, logf, self, real)
	if err := os.WriteFile(w, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// lastPeak is the peak RSS, in kB, of the last run peakWrapper logged to logf.
func lastPeak(t *testing.T, logf string) int64 {
	t.Helper()
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		t.Fatal("no run logged")
	}
	kb, _ := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	return kb
}

// Intake's one ffmpeg run for a large JPEG and its 1080p still decodes it at half size
// (render.StillLowres): its peak memory stays well under that of the same still from the
// full decode, whose 4:4:4 frame alone is 36 MB (a quarter of it at half size). Measured on
// the real processes, relative to each other, so that the libraries' share of the RSS (which
// differs between builds) does not matter.
func TestIntakeLargeJPEGPeakMemory(t *testing.T) {
	f := newFixture(t, testLimits)
	logf := filepath.Join(f.dir, "peaks.log")
	log := zaptest.NewLogger(t)
	ff := ffmpeg.New(peakWrapper(t, f.dir, "ffmpeg", logf), "", log)
	in := NewIntake(ff, f.st, testLimits, log)
	src := f.gen(t, "big.jpg", "-f", "lavfi", "-i", "testsrc2=s=4000x3000", "-frames:v", "1", "-pix_fmt", "yuvj444p", "-q:v", "3")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	st := render.Still{Fit: "contain", Background: "#000000", W: 1920, H: 1080}
	stillPath := filepath.Join(f.dir, "still.y4m")
	_, err = in.ImageWithStill(context.Background(), f.pid, "big.jpg", bytes.NewReader(raw), func(a *simvid.Asset) (StillGraph, int, string) {
		st.Lowres = render.StillLowres(st, render.Image{Width: a.Width, Height: a.Height, Format: a.Format})
		return func(in, tap string, minSide int) (string, bool) {
			return render.StillFilterTap(st, in, tap, a.Width, a.Height, minSide)
		}, st.Lowres, stillPath
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stillPath); err != nil || st.Lowres != 1 {
		t.Fatalf("still %v, lowres %d: want one made from a half-size decode", err, st.Lowres)
	}
	intake := lastPeak(t, logf)
	full := st
	full.Lowres = 0
	if err := ff.Run(context.Background(), render.StillArgs(full, src, filepath.Join(f.dir, "full.y4m")), nil); err != nil {
		t.Fatal(err)
	}
	ref := lastPeak(t, logf)
	t.Logf("peak RSS: intake (thumbnail and still, half-size decode) %d MB; the still alone from the full decode %d MB", intake>>10, ref>>10)
	if intake > ref-15<<10 {
		t.Errorf("intake's ffmpeg peaked at %d MB, not 15 MB under the full decode's %d MB: is the JPEG decoded at full size?", intake>>10, ref>>10)
	}
}
