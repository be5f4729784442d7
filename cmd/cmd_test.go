package cmd

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// serve and work refuse to start without Redis, naming the setting; only all may embed it.
func TestServeAndWorkNeedRedis(t *testing.T) {
	t.Setenv("SIMVID_REDIS_URL", "")
	t.Setenv("REDIS_URL", "")
	for _, args := range [][]string{{"serve"}, {"work", "--queue=video"}} {
		_, err := run(t, append(args, "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--metrics-addr", "off")...)
		if err == nil || !strings.Contains(err.Error(), "redis_url") {
			t.Errorf("%v: err = %v, want one naming redis_url", args, err)
		}
	}
	if _, err := run(t, "work", "--queue=pictures"); err == nil || !strings.Contains(err.Error(), "unknown queue") {
		t.Errorf("bad queue: %v", err)
	}
}

func TestBadConfigNamesTheKey(t *testing.T) {
	t.Setenv("SIMVID_LIMITS_FILE_BYTES", "lots")
	_, err := run(t, "all", "--data-dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "limits.file_bytes") {
		t.Fatalf("err = %v", err)
	}
}

func TestVersionAndDoctor(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	out, err := run(t, "version")
	if err != nil || !strings.HasPrefix(out, "simvid ") {
		t.Fatalf("version: %q %v", out, err)
	}
	out, err = run(t, "doctor", "--data-dir", t.TempDir())
	if err != nil || !strings.Contains(out, "transitions") || !strings.Contains(out, "ok    database") {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	if !strings.Contains(out, "yt-dlp") {
		t.Fatalf("doctor says nothing of yt-dlp:\n%s", out)
	}
	t.Setenv("SIMVID_LINKS_YT_DLP", "/nonexistent/yt-dlp")
	out, err = run(t, "doctor", "--data-dir", t.TempDir())
	if err != nil || !strings.Contains(out, "warn  yt-dlp") || !strings.Contains(out, "not installed") {
		t.Fatalf("doctor without yt-dlp: %v\n%s", err, out)
	}
	out, err = run(t, "doctor", "--data-dir", t.TempDir(), "--redis-url", "redis://127.0.0.1:1/0")
	if err == nil || !strings.Contains(out, "FAIL  redis") {
		t.Fatalf("doctor with unreachable redis: %v\n%s", err, out)
	}
}

// simvid render: mixed formats and music, in-process, checked with ffprobe.
func TestRenderCommand(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	a := testutil.Image(t, dir, "a.jpg", 320, 240, "red")
	b := testutil.Image(t, dir, "b.png", 240, 320, "blue")
	c := testutil.Image(t, dir, "c.webp", 320, 200, "green")
	song := testutil.Tone(t, dir, "song.mp3", 2)
	outFile := filepath.Join(dir, "out.mp4")
	out, err := run(t, "render", a, b, c, "--audio", song, "--resolution", "640x480", "--duration", "1",
		"--transition", "fade", "--transition-duration", "0.5", "--fit", "blur", "-o", outFile, "--timings")
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	for _, want := range []string{"ffmpeg kind", "\nstill ", "\nmusic_pieces ", "\nall ffmpeg ", "\nsimvid (Go) "} {
		if !strings.Contains(out, want) { // --timings: where the time went, by kind
			t.Errorf("render --timings output lacks %q:\n%s", want, out)
		}
	}
	p := testutil.Probe(t, outFile)
	if v := p.Video(); v == nil || v.Width != 640 || v.Height != 480 || v.Frames() != 90 || v.PixFmt != "yuv420p" {
		t.Fatalf("video: %+v", v)
	}
	if p.Audio() == nil {
		t.Fatal("no audio")
	}
	if _, err := run(t, "render", "-o", outFile); err == nil {
		t.Fatal("render without pictures succeeded")
	}
	if _, err := run(t, "render", a, "--resolution", "1x1", "-o", outFile); err == nil || !strings.Contains(err.Error(), "resolution") {
		t.Fatalf("bad resolution: %v", err)
	}
}

// doctor warns when Redis may evict keys (queue keys would be dropped) and says ok for
// noeviction.
func TestDoctorWarnsOnEvictingRedis(t *testing.T) {
	testutil.Need(t, "ffmpeg", "redis-server")
	srv := redistest.StartServer(t)
	conn, err := redis.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range []struct{ policy, want string }{
		{"allkeys-lru", "warn  redis        maxmemory-policy is allkeys-lru"},
		{"noeviction", "ok    redis        maxmemory-policy noeviction"},
	} {
		if _, err := conn.Do("CONFIG", "SET", "maxmemory-policy", c.policy); err != nil {
			t.Fatal(err)
		}
		out, err := run(t, "doctor", "--data-dir", t.TempDir(), "--redis-url", srv.URL())
		t.Logf("doctor with %s:\n%s", c.policy, out)
		if err != nil || !strings.Contains(out, c.want) {
			t.Fatalf("doctor with %s: err %v, output lacks %q", c.policy, err, c.want)
		}
	}
}

// simvid render with the looks as flags: an aspect preset, 24 fps, auto motion, random
// transitions and music stretched to the slides (2.5 s of MP3 decodes a little longer: 60 or 61
// frames).
func TestRenderCommandLooks(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	a := testutil.Image(t, dir, "a.jpg", 320, 240, "red")
	b := testutil.Image(t, dir, "b.png", 240, 320, "blue")
	song := testutil.Tone(t, dir, "song.mp3", 2.5)
	outFile := filepath.Join(dir, "out.mp4")
	out, err := run(t, "render", a, b, "--audio", song, "--aspect", "1:1", "--lines", "480", "--fps", "24",
		"--motion", "auto", "--transition", "random", "--music-fit", "slides", "--normalize", "--quality", "draft", "-o", outFile)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	p := testutil.Probe(t, outFile)
	v := p.Video()
	if v == nil || v.Width != 480 || v.Height != 480 || v.Frames() < 60 || v.Frames() > 61 || v.RFrameRate != "24/1" {
		t.Fatalf("video: %+v", v)
	}
	if _, err := run(t, "render", a, "--motion", "spin", "-o", outFile); err == nil || !strings.Contains(err.Error(), "defaults.motion") {
		t.Fatalf("bad motion: %v", err)
	}
}
