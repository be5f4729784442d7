package service_test

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// Intake's limits hold on the header and the byte count, before any tool runs.
func TestAddImagesIntakeLimits(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t)
	p := f.Project(t, "")
	big := testutil.Picture(t, "png", 200, 120, color.White) // 24,000 pixels of 10,000
	huge := append(testutil.Picture(t, "png", 8, 8, color.White), make([]byte, 1<<20)...)
	res, err := f.Service.AddImages(context.Background(), p.ID, []service.Upload{upload("big.png", big), upload("huge.png", huge)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !simvid.IsCode(r.Err, simvid.ETooLarge) {
			t.Errorf("file %d: %v; want %s", i, r.Err, simvid.ETooLarge)
		}
	}
	if n := len(f.Stored(t, p.ID).Spec.Slides); n != 0 {
		t.Errorf("%d slides from refused pictures", n)
	}
	if left, _ := os.ReadDir(f.Files.TmpDir()); len(left) != 0 {
		t.Errorf("refused uploads left %d temporary files", len(left))
	}
}

// Accepted pictures become slides in the order given, with their files in place. Intake
// makes thumbnails with ffmpeg, so this one needs it (the whole-binary tests cover the rest
// of the path).
func TestAddImagesAccepted(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t, servicetest.RealIntake(t))
	p := f.Project(t, "")
	files := []service.Upload{
		upload("red.png", testutil.Picture(t, "png", 64, 36, color.RGBA{255, 0, 0, 255})),
		upload("notes.txt", []byte("not a picture at all")),
		upload("blue.jpg", testutil.Picture(t, "jpeg", 36, 64, color.RGBA{0, 0, 255, 255})),
	}
	res, err := f.Service.AddImages(context.Background(), p.ID, files)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[2].Err != nil || !simvid.IsCode(res[1].Err, simvid.EUnsupported) {
		t.Fatalf("results: %v, %v, %v", res[0].Err, res[1].Err, res[2].Err)
	}
	stored := f.Stored(t, p.ID)
	if want := []string{res[0].Slide.ID, res[2].Slide.ID}; !slices.Equal(slideIDs(stored), want) {
		t.Errorf("slides %v; want %v", slideIDs(stored), want)
	}
	for _, r := range []service.ImageResult{res[0], res[2]} {
		a, err := f.Store.GetAsset(context.Background(), r.Asset.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Width*a.Height != 64*36 || a.ProjectID != p.ID {
			t.Errorf("asset %+v", a)
		}
		for _, path := range []func(string, string) (string, error){f.Files.Original, f.Files.Thumbnail} {
			if fp, _ := path(p.ID, a.ID); !exists(fp) {
				t.Errorf("missing %s", fp)
			}
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// A request whose body breaks off after some files were taken in (AddImagesFrom: intake
// starts as each file arrives) adds nothing: its error comes back, no slide is made and the
// files of the pictures taken in so far are removed again.
func TestAddImagesFromBrokenOff(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t, servicetest.RealIntake(t))
	p := f.Project(t, "")
	broken := simvid.Errorf(simvid.EInvalid, "the upload ended early")
	var taken []service.Upload
	orig, _ := f.Files.Original(p.ID, simvid.NewID(simvid.PrefixImage))
	originals := filepath.Dir(orig)
	res, err := f.Service.AddImagesFrom(context.Background(), p.ID, func(take func(service.Upload)) error {
		for _, u := range []service.Upload{
			upload("red.png", testutil.Picture(t, "png", 64, 36, color.RGBA{255, 0, 0, 255})),
			upload("blue.jpg", testutil.Picture(t, "jpeg", 36, 64, color.RGBA{0, 0, 255, 255})),
		} {
			take(u)
			taken = append(taken, u)
		}
		// Broken off once both pictures are in place: they must go again.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if in, _ := os.ReadDir(originals); len(in) == 2 {
				break
			}
		}
		return broken
	})
	if err != broken || res != nil || len(taken) != 2 {
		t.Fatalf("AddImagesFrom = %v, %v; want the body's error alone", res, err)
	}
	if n := len(f.Stored(t, p.ID).Spec.Slides); n != 0 {
		t.Errorf("%d slides from a broken-off upload", n)
	}
	if assets, err := f.Store.ListAssets(context.Background(), p.ID, ""); err != nil || len(assets) != 0 {
		t.Errorf("assets %v, %v; want none", assets, err)
	}
	if left, _ := os.ReadDir(originals); len(left) != 0 {
		t.Errorf("a broken-off upload left %d files among the originals", len(left))
	}
}
