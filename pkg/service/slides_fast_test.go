package service_test

import (
	"context"
	"io"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
)

func TestReorderSlides(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 3)
	ids := slideIDs(p)
	want := []string{ids[2], ids[0], ids[1]}
	got, err := f.Service.ReorderSlides(ctx, p.ID, want)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slideIDs(got), want) || !slices.Equal(slideIDs(f.Stored(t, p.ID)), want) {
		t.Fatalf("order %v, stored %v; want %v", slideIDs(got), slideIDs(f.Stored(t, p.ID)), want)
	}

	before := f.Stored(t, p.ID)
	for name, order := range map[string][]string{
		"missing one":  {ids[0], ids[1]},
		"repeated":     {ids[0], ids[0], ids[1]},
		"unknown":      {ids[0], ids[1], simvid.NewID(simvid.PrefixSlide)},
		"one too many": {ids[0], ids[1], ids[2], ids[2]},
		"none":         nil,
	} {
		_, err := f.Service.ReorderSlides(ctx, p.ID, order)
		if !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	f.Unchanged(t, before)
	_, err = f.Service.ReorderSlides(ctx, "prj_x", want)
	wantCode(t, err, simvid.ENotFound)
}

func TestUpdateSlide(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 2)
	id := p.Spec.Slides[1].ID

	patch, err := service.DecodeSlidePatch([]byte(`{"caption":"Grandma, 1962","duration":5,"fit":"cover","focus":[0.2,0.8]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.UpdateSlide(ctx, p.ID, id, patch); err != nil {
		t.Fatal(err)
	}
	sl := f.Stored(t, p.ID).Spec.Slides[1]
	if sl.Caption != "Grandma, 1962" || sl.Duration != 5 || sl.Fit != "cover" || !slices.Equal(sl.Focus, []float64{0.2, 0.8}) {
		t.Errorf("stored slide %+v", sl)
	}
	if other := f.Stored(t, p.ID).Spec.Slides[0]; other.Caption != "" || other.Duration != 0 {
		t.Errorf("the other slide changed: %+v", other)
	}

	// A patch a spec would refuse changes nothing.
	before := f.Stored(t, p.ID)
	for name, raw := range map[string]string{
		"caption too long": `{"caption":"` + strings.Repeat("x", 501) + `"}`,
		"duration":         `{"duration":0.1}`,
		"fit":              `{"fit":"squash"}`,
		"focus":            `{"focus":[2,0]}`,
		"transition":       `{"transition":"spin"}`,
		"motion":           `{"motion":"shake"}`,
	} {
		sp, err := service.DecodeSlidePatch([]byte(raw))
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if _, err := f.Service.UpdateSlide(ctx, p.ID, id, sp); !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	f.Unchanged(t, before)

	// What cannot be decoded is refused before the service is asked.
	for _, raw := range []string{`{"captoin":"x"}`, `{"duration":"5"}`, `[`, `{"duration":5}{}`} {
		if _, err := service.DecodeSlidePatch([]byte(raw)); !simvid.IsCode(err, simvid.EInvalid) {
			t.Errorf("decode %s: %v; want %s", raw, err, simvid.EInvalid)
		}
	}
	_, err = f.Service.UpdateSlide(ctx, p.ID, simvid.NewID(simvid.PrefixSlide), patch)
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Service.UpdateSlide(ctx, p.ID, "sld_../../x", patch)
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Service.UpdateSlide(ctx, simvid.NewID(simvid.PrefixProject), id, patch)
	wantCode(t, err, simvid.ENotFound)
	f.Unchanged(t, before)
}

func TestDuplicateSlide(t *testing.T) {
	ctx, f, p := begin(t, func(d *service.Deps) { d.Limits.ImagesPerProject = 3 })
	p = f.WithSlides(t, p.ID, 2)
	first := p.Spec.Slides[0]
	caption := "copy me"
	if _, err := f.Service.UpdateSlide(ctx, p.ID, first.ID, &service.SlidePatch{Caption: &caption, Focus: &[]float64{0.5, 0.5}}); err != nil {
		t.Fatal(err)
	}

	got, dup, err := f.Service.DuplicateSlide(ctx, p.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := f.Stored(t, p.ID).Spec.Slides
	if len(stored) != 3 || stored[1].ID != dup.ID || len(got.Spec.Slides) != 3 {
		t.Fatalf("stored slides %v; want the copy %s second", stored, dup.ID)
	}
	if dup.ID == first.ID || dup.Asset != first.Asset || dup.Caption != caption {
		t.Errorf("copy %+v of %+v", *dup, first)
	}
	// The copy's focus is its own: changing one must not move the other.
	if _, err := f.Service.UpdateSlide(ctx, p.ID, dup.ID, &service.SlidePatch{Focus: &[]float64{0, 1}}); err != nil {
		t.Fatal(err)
	}
	if fo := f.Stored(t, p.ID).Spec.Slides[0].Focus; !slices.Equal(fo, []float64{0.5, 0.5}) {
		t.Errorf("the original's focus changed with the copy's: %v", fo)
	}

	// The copy counts against the picture limit.
	before := f.Stored(t, p.ID)
	_, _, err = f.Service.DuplicateSlide(ctx, p.ID, first.ID)
	wantCode(t, err, simvid.ETooLarge)
	_, _, err = f.Service.DuplicateSlide(ctx, p.ID, simvid.NewID(simvid.PrefixSlide))
	wantCode(t, err, simvid.ENotFound)
	_, _, err = f.Service.DuplicateSlide(ctx, p.ID, "img_"+first.ID[4:])
	wantCode(t, err, simvid.ENotFound)
	f.Unchanged(t, before)
}

func TestRemoveSlide(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 2)
	keep, gone := p.Spec.Slides[0], p.Spec.Slides[1]
	_, dup, err := f.Service.DuplicateSlide(ctx, p.ID, keep.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A picture no other slide shows goes with its slide.
	if _, err := f.Service.RemoveSlide(ctx, p.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.GetAsset(ctx, gone.Asset); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("the removed slide's only picture is still recorded: %v", err)
	}
	// A picture another slide still shows stays.
	if _, err := f.Service.RemoveSlide(ctx, p.ID, dup.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.GetAsset(ctx, keep.Asset); err != nil {
		t.Errorf("a picture still shown was forgotten: %v", err)
	}
	if ids := slideIDs(f.Stored(t, p.ID)); !slices.Equal(ids, []string{keep.ID}) {
		t.Errorf("slides left %v; want [%s]", ids, keep.ID)
	}

	// A picture a queued render still needs stays until the render is done with it.
	if _, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.RemoveSlide(ctx, p.ID, keep.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Store.GetAsset(ctx, keep.Asset); err != nil {
		t.Errorf("a picture a queued render needs was forgotten: %v", err)
	}

	before := f.Stored(t, p.ID)
	_, err = f.Service.RemoveSlide(ctx, p.ID, keep.ID)
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Service.RemoveSlide(ctx, p.ID, "nope")
	wantCode(t, err, simvid.ENotFound)
	f.Unchanged(t, before)
}

// opened counts the uploads whose Open was called.
type opened struct{ n atomic.Int32 }

func (o *opened) upload(name, body string) service.Upload {
	return service.Upload{Name: name, Open: func() (io.ReadCloser, error) {
		o.n.Add(1)
		return io.NopCloser(strings.NewReader(body)), nil
	}}
}

// AddImages refuses, before any tool runs: files past the per-request cap (unopened),
// files that are not pictures, and whole requests on a full disk or for an unknown
// project. A refused file adds nothing.
func TestAddImagesRefusals(t *testing.T) {
	ctx, f, p := begin(t)
	var o opened
	files := []service.Upload{
		o.upload("notes.txt", "just some words, not a picture\n"),
		o.upload("page.html", "<!doctype html><html><body>hi</body></html>"),
		o.upload("evil.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`),
		o.upload("fourth.png", "never opened"),
		o.upload("fifth.png", "never opened"),
	}
	res, err := f.Service.AddImages(ctx, p.ID, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(files) {
		t.Fatalf("%d results for %d files", len(res), len(files))
	}
	for i, r := range res[:3] {
		if !simvid.IsCode(r.Err, simvid.EUnsupported) || r.Slide != nil {
			t.Errorf("file %d (%s): %v; want %s", i, files[i].Name, r.Err, simvid.EUnsupported)
		}
	}
	for i, r := range res[3:] {
		if !simvid.IsCode(r.Err, simvid.ETooLarge) || !strings.Contains(r.Err.Error(), "at most 3 pictures") {
			t.Errorf("file %d past the cap: %v; want %s naming the cap", i+3, r.Err, simvid.ETooLarge)
		}
	}
	if n := o.n.Load(); n != 3 {
		t.Errorf("%d files opened; want 3 (those past the cap stay unopened)", n)
	}
	if got := f.Stored(t, p.ID); len(got.Spec.Slides) != 0 {
		t.Errorf("refused files made slides: %v", got.Spec.Slides)
	}
	if as, _ := f.Store.ListAssets(ctx, p.ID, ""); len(as) != 0 {
		t.Errorf("refused files were recorded: %d assets", len(as))
	}

	_, err = f.Service.AddImages(ctx, simvid.NewID(simvid.PrefixProject), files[:1])
	wantCode(t, err, simvid.ENotFound)

	full := servicetest.New(t, func(d *service.Deps) { d.Limits.MinFreeDisk = math.MaxUint64 })
	fp := full.Project(t, "")
	var none opened
	_, err = full.Service.AddImages(ctx, fp.ID, []service.Upload{none.upload("a.png", "x")})
	wantCode(t, err, simvid.EStorageFull)
	if none.n.Load() != 0 {
		t.Error("a full disk still opened the upload")
	}
}

// A project that is full refuses every file of a request, unopened, and records nothing.
func TestAddImagesFullProject(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t, func(d *service.Deps) { d.Limits.ImagesPerProject = 2 })
	p := f.WithSlides(t, f.Project(t, "").ID, 2)
	var o opened
	res, err := f.Service.AddImages(context.Background(), p.ID, []service.Upload{o.upload("a.png", "x"), o.upload("b.png", "y")})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !simvid.IsCode(r.Err, simvid.ETooLarge) {
			t.Errorf("file %d into a full project: %v; want %s", i, r.Err, simvid.ETooLarge)
		}
	}
	if o.n.Load() != 0 {
		t.Errorf("%d files opened for a full project", o.n.Load())
	}
	if n := len(f.Stored(t, p.ID).Spec.Slides); n != 2 {
		t.Errorf("%d slides; want 2", n)
	}
}
