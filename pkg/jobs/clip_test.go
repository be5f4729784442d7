package jobs

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestRenderWithClip: a render job whose project has a clip asset among its pictures plans
// the clip from the asset's probe (its sound included) and reads it from its original, for
// the clip's segment and for the mix with no music: the video has the plan's frames and the
// clip's sound.
func TestRenderWithClip(t *testing.T) {
	k := newRenderKit(t, 2, 1)
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: k.render.ProjectID, Kind: simvid.KindClip,
		State: simvid.AssetReady, SHA256: "sha-clip", Width: 320, Height: 180, Duration: 1, Format: "mp4",
		Clip: &simvid.ClipInfo{FPS: 30, HasAudio: true, CodedWidth: 320, CodedHeight: 180}}
	orig, err := k.media.Original(a.ProjectID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(orig), 0o755)
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=1",
		"-f", "lavfi", "-i", "sine=f=1000:r=48000:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-f", "mp4", orig).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := k.store.CreateAsset(k.ctx, a); err != nil {
		t.Fatal(err)
	}
	spec := k.render.Spec
	spec.Slides = append(spec.Slides, simvid.Slide{Asset: a.ID, In: 0.2})
	if _, err := k.store.UpdateRender(k.ctx, k.render.ID, func(r *simvid.Render) error { r.Spec = spec; return nil }); err != nil {
		t.Fatal(err)
	}
	plan, _ := k.plan(w)
	if plan.Audio == nil || len(plan.Audio.Clips) != 1 || plan.Frames != 30+30+24 {
		t.Fatalf("plan: %d frames, audio %+v", plan.Frames, plan.Audio)
	}
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
}
