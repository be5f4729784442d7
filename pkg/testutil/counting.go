package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CountingFFmpeg is an ffmpeg that notes each run in a file, then runs the real one: a test
// gives bin to simvid (ffmpeg.ffmpeg) and reads runs to count what a request decoded.
func CountingFFmpeg(t testing.TB) (bin string, runs func() int) {
	t.Helper()
	bin, args := LoggingFFmpeg(t)
	return bin, func() int { return len(args()) }
}

// LoggingFFmpeg is an ffmpeg that notes each run's arguments, a line a run, then runs the
// real one; args returns those lines so far.
func LoggingFFmpeg(t testing.TB) (bin string, args func() []string) {
	t.Helper()
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		Missing(t, "ffmpeg")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	bin = filepath.Join(dir, "ffmpeg")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> '%s'\nexec '%s' \"$@\"\n", log, real)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, func() []string {
		b, _ := os.ReadFile(log)
		if len(b) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
}
