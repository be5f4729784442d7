package httpapi_test

import (
	"encoding/json"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// A picture's intake starts as soon as its part of a multipart upload has arrived, while the
// next parts still do: an API client's batch is decoded as it streams in, not after its last
// byte. The body is sent through a pipe that holds the second file back until the first
// file's ffmpeg has run (or 5 s have passed); both become slides, in order.
func TestUploadIntakeStartsAsFilesArrive(t *testing.T) {
	t.Parallel()
	bin, runs := testutil.CountingFFmpeg(t)
	a := newAPI(t, withService(func(d *service.Deps) {
		d.Intake = media.NewIntake(ffmpeg.New(bin, "", zap.NewNop()), d.Files, servicetest.IntakeLimits, zap.NewNop())
	}))
	pid := a.created(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	started := make(chan bool, 1)
	go func() {
		fw, _ := mw.CreateFormFile("images", "first.png")
		_, _ = fw.Write(testutil.Picture(t, "png", 64, 36, color.RGBA{255, 0, 0, 255}))
		fw, _ = mw.CreateFormFile("images", "second.png") // the first part ends here
		deadline := time.Now().Add(5 * time.Second)
		for runs() == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		started <- runs() > 0
		_, _ = fw.Write(testutil.Picture(t, "png", 36, 64, color.RGBA{0, 0, 255, 255}))
		_ = mw.Close()
		_ = pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/projects/"+pid+"/images", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(rec, req)
	if !<-started {
		t.Errorf("no intake ran in 5 s while the upload's second file was held back")
	}
	var ans uploadAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("upload answered %d: %s", rec.Code, rec.Body)
	}
	if len(ans.Results) != 2 || !ans.Results[0].OK || !ans.Results[1].OK ||
		ans.Results[0].Filename != "first.png" || ans.Results[1].Filename != "second.png" || len(ans.Project.Slides) != 2 {
		t.Fatalf("results %+v, %d slides", ans.Results, len(ans.Project.Slides))
	}
	a.noTemps(t)
}
