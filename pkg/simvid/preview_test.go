package simvid

import "testing"

func TestPreviewOutput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"1920x1080", "854x480"},
		{"3840x2160", "854x480"},
		{"1080x1920", "480x854"},
		{"1080x1080", "480x480"},
		{"1080x1350", "480x600"},
		{"640x480", "640x480"}, // already small: kept
		{"854x480", "854x480"},
	} {
		got := PreviewOutput(Output{Resolution: c.in, FPS: 30, Quality: "high"})
		if got.Resolution != c.want || got.Quality != "draft" || got.FPS != 30 || !got.IsPreview() {
			t.Errorf("PreviewOutput(%s) = %+v, want %s at draft", c.in, got, c.want)
		}
	}
	if (Output{Resolution: "1920x1080", Quality: "draft"}).IsPreview() {
		t.Error("a full-size draft is not a preview")
	}
}

func TestDraftRendersSmall(t *testing.T) {
	t.Parallel()
	if got := (Output{Resolution: "1920x1080", FPS: 30, Quality: "draft"}).ForRender(); got.Resolution != "854x480" {
		t.Errorf("draft at 1920x1080 renders at %s", got.Resolution)
	}
	if got := (Output{Resolution: "1920x1080", FPS: 30, Quality: "standard"}).ForRender(); got.Resolution != "1920x1080" {
		t.Errorf("standard renders at %s", got.Resolution)
	}
}
