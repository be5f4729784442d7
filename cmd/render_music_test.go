package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// simvid render reads the music beside the pictures, not after them: a picture's decode
// here waits (up to 20 s) for the music's decode to start, and notes whether it did. Read
// after the pictures, the music never starts while a picture decodes.
func TestRenderReadsMusicBesidePictures(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pic := testutil.Image(t, dir, "a.png", 320, 240, "red")
	song := testutil.Tone(t, dir, "song.mp3", 2)
	bin := filepath.Join(t.TempDir(), "ffmpeg")
	mark, log := filepath.Join(dir, "music-started"), filepath.Join(dir, "stills")
	script := fmt.Sprintf(`#!/bin/sh
case "$*" in
*upload-*yuv4mpegpipe*)
	i=0
	while [ ! -e '%[1]s' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
	'%[3]s' "$@"; rc=$?
	if [ -e '%[1]s' ]; then echo beside >> '%[2]s'; else echo alone >> '%[2]s'; fi
	exit $rc;;
*"-c:a flac"*)
	touch '%[1]s';;
esac
exec '%[3]s' "$@"
`, mark, log, real)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	outFile := filepath.Join(dir, "out.mp4")
	if out, err := run(t, "render", pic, "--audio", song, "--resolution", "640x480", "--duration", "1",
		"--quality", "draft", "-o", outFile); err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	if p := testutil.Probe(t, outFile); p.Video() == nil || p.Audio() == nil {
		t.Fatalf("streams: %+v", p)
	}
	stills, _ := os.ReadFile(log)
	if got := strings.TrimSpace(string(stills)); got != "beside" {
		t.Errorf("the picture's decode ran %q the music's, want beside it", got)
	}
}
