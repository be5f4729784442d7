package security

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// uploadRoutes are the multipart routes the fuzzer aims at; {pid} is a project of the run.
var uploadRoutes = []string{
	"/api/v1/projects/{pid}/images",
	"/api/v1/projects/{pid}/music",
	"/upload_images",
	"/upload_audio",
}

// FuzzUpload sends arbitrary multipart bodies (and boundaries) to every upload route of a
// real in-process simvid over a temporary data directory. Whatever arrives, the answer must
// be JSON with a 2xx or 4xx status: never a panic, never a 5xx, never HTML.
func FuzzUpload(f *testing.F) {
	testutil.Need(f, "ffmpeg", "ffprobe")
	base, pid := fuzzApp(f)
	for i, seed := range uploadSeeds(f) {
		f.Add(seed.body, seed.boundary, uint8(i))
	}
	client := &http.Client{Timeout: time.Minute}
	f.Fuzz(func(t *testing.T, body []byte, boundary string, route uint8) {
		path := strings.ReplaceAll(uploadRoutes[int(route)%len(uploadRoutes)], "{pid}", pid)
		req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mime.FormatMediaType("multipart/form-data", map[string]string{"boundary": boundary}))
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer res.Body.Close()
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 || res.StatusCode < 200 || (res.StatusCode >= 300 && res.StatusCode < 400) {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, got)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("POST %s: %d answered %q: %s", path, res.StatusCode, ct, got)
		}
		if !json.Valid(got) {
			t.Fatalf("POST %s: %d answered invalid JSON: %q", path, res.StatusCode, got)
		}
	})
}

// fuzzApp starts simvid in this process (serve role, embedded Redis, no workers, no rate
// limits) on a temporary data directory and makes one project to upload into.
func fuzzApp(f *testing.F) (base, pid string) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.MetricsAddr = ""
	cfg.DataDir = f.TempDir()
	cfg.Limits.MinFreeDisk = 0
	cfg.RateLimits.Enabled = false
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, zap.NewNop(), app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	if err != nil {
		cancel()
		f.Fatalf("app.New: %v", err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func() { close(started) }) }()
	f.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	select {
	case <-started:
	case err := <-done:
		f.Fatalf("app stopped at start: %v", err)
	}
	base = "http://" + a.Addr()
	res, err := http.Post(base+"/api/v1/projects", "application/json", nil)
	if err != nil {
		f.Fatal(err)
	}
	defer res.Body.Close()
	var p struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil || p.ID == "" {
		f.Fatalf("create project: %d %v", res.StatusCode, err)
	}
	return base, p.ID
}

type uploadSeed struct {
	body     []byte
	boundary string
}

// uploadSeeds are well-formed uploads (a picture, a sound-like file, text, a session field
// after the files) and the usual ways a body goes wrong.
func uploadSeeds(f *testing.F) []uploadSeed {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var jpg, pngb bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		f.Fatal(err)
	}
	if err := png.Encode(&pngb, img); err != nil {
		f.Fatal(err)
	}
	form := func(parts ...[3]string) uploadSeed { // field, filename ("" = a value), content
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, p := range parts {
			var pw io.Writer
			var err error
			if p[1] == "" {
				pw, err = w.CreateFormField(p[0])
			} else {
				pw, err = w.CreateFormFile(p[0], p[1])
			}
			if err != nil {
				f.Fatal(err)
			}
			_, _ = pw.Write([]byte(p[2]))
		}
		_ = w.Close()
		return uploadSeed{b.Bytes(), w.Boundary()}
	}
	ok := form([3]string{"images", "a.jpg", jpg.String()}, [3]string{"images", "b.png", pngb.String()})
	seeds := []uploadSeed{
		ok,
		form([3]string{"audio", "song.mp3", "ID3\x04\x00\x00\x00\x00\x00\x00#EXTM3U\n#EXTINF:1,\nfile:/etc/passwd\n"}),
		form([3]string{"images", "../../etc/passwd", jpg.String()}, [3]string{"session_id", "", "prj_AAAAAAAAAAAAAAAAAAAAAA"}),
		form([3]string{"images", "<script>x</script>.txt", "just text"}),
		form([3]string{"images", "big.png", string(pngb.Bytes()[:33]) + "\xff\xff\xff\xff"}),
		form([3]string{"start", "", "1e309"}, [3]string{"audio", "a.wav", "RIFF\x00\x00\x00\x00WAVEfmt "}),
		{ok.body[:len(ok.body)/2], ok.boundary},                // cut short
		{ok.body, "x"},                                         // wrong boundary
		{ok.body, ""},                                          // none
		{[]byte("--" + ok.boundary + "\r\n\r\n"), ok.boundary}, // a part without headers
		{[]byte(fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"images\"; filename=\"%s\"\r\n\r\nx\r\n--%s--\r\n",
			ok.boundary, strings.Repeat("a", 5000), ok.boundary)), ok.boundary},
		{[]byte(fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"images\"; filename*=UTF-8''%%e2%%80%%ae.jpg\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\n\r\n--y--\r\n--%s--\r\n",
			ok.boundary, ok.boundary)), ok.boundary},
	}
	return seeds
}
