package render

import (
	"fmt"
	"math"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// Clip is what intake learned about a video clip (simvid.Asset with its ClipInfo). Width and
// Height are its upright display size (rotation and sample aspect ratio applied).
type Clip struct {
	SHA256        string
	Format        string // as sniffed: "mp4", "mov", "webm", ...: the demuxer that reads it
	Width, Height int
	CodedW        int // the stored frame, before rotation and sample aspect ratio
	CodedH        int
	Duration      float64
	FPS           float64
	Rotation      int    // degrees clockwise that make it upright: 0, 90, 180, 270
	HDR           string // "hlg", "pq" or ""
	Matrix        string // the YUV matrix its stream names (ffprobe's color_space), "" for none
	HasAudio      bool
	// Name and TakenAt place the clip in the spec's order (as Image's do); they are no part
	// of any key.
	Name    string
	TakenAt *time.Time
}

// AddSlideAsset puts a slide's asset where the planner looks for it: a clip in Clips, a
// picture in Images.
func (in *Input) AddSlideAsset(a *simvid.Asset) {
	if a.Kind == simvid.KindClip {
		if in.Clips == nil {
			in.Clips = map[string]Clip{}
		}
		in.Clips[a.ID] = ClipOf(a)
		return
	}
	if in.Images == nil {
		in.Images = map[string]Image{}
	}
	in.Images[a.ID] = Image{SHA256: a.SHA256, Width: a.Width, Height: a.Height, Orientation: a.Orientation, Format: a.Format,
		Name: a.OriginalName, TakenAt: a.TakenAt}
}

// SlideStill is the still a one-slide spec shows of picture a (the slide's Asset is a.ID):
// what upload intake and simvid render make from their one decode, under the key a render
// looks for. ok is false when the spec plans no single still of it (a clip, a bad spec).
func SlideStill(one simvid.Spec, a *simvid.Asset, ffmpegVersion string) (st Still, ok bool) {
	in := Input{Spec: one, FFmpegVersion: ffmpegVersion}
	in.AddSlideAsset(a)
	v, err := NewPlan(in)
	if err != nil || len(v.Stills) != 1 {
		return Still{}, false
	}
	return v.Stills[0], true
}

// ClipOf turns an asset of kind clip into the planner's Clip.
func ClipOf(a *simvid.Asset) Clip {
	c := Clip{SHA256: a.SHA256, Format: a.Format, Width: a.Width, Height: a.Height, Duration: a.Duration,
		Name: a.OriginalName, TakenAt: a.TakenAt}
	if ci := a.Clip; ci != nil {
		c.CodedW, c.CodedH, c.FPS, c.Rotation, c.HDR, c.HasAudio = ci.CodedWidth, ci.CodedHeight, ci.FPS, ci.Rotation, ci.HDR, ci.HasAudio
		c.Matrix = ci.Matrix
	}
	return c
}

// Speed limits of a clip slide.
const (
	MinClipSpeed = 0.5
	MaxClipSpeed = 2.0
)

// ClipSlide is a clip slide's part of the clip, resolved: clip seconds [In, Out) played at
// Speed. Slide frame k shows the clip at In + k*Speed/fps (held at its last frame past Out).
type ClipSlide struct {
	Clip
	Asset   string
	In, Out float64
	Speed   float64
	Mute    bool
}

// at is the clip time shown at frame k of the slide.
func (c *ClipSlide) at(k int64, fps int) float64 { return c.In + float64(k)*c.Speed/float64(fps) }

// from is where a run starting at slide frame k starts in the clip: at(k), but at least a
// frame before the out point (a part shorter than the transition into it is held).
func (c *ClipSlide) from(k int64, fps int) float64 {
	return max(c.In, min(c.at(k, fps), c.Out-1/clipFPS(c)))
}

// Sound reports whether the slide's clip plays its own sound.
func (c *ClipSlide) Sound() bool { return c != nil && c.HasAudio && !c.Mute }

// resolveClips checks every clip slide's in, out and speed against its clip and, where the
// slide gives no duration, sets it to (out-in)/speed: the rest of the planner sees a clip
// slide as a slide of that length. It returns the resolved clips by slide (nil for pictures).
func resolveClips(in *Input) ([]*ClipSlide, error) {
	s := &in.Spec
	out := make([]*ClipSlide, len(s.Slides))
	if len(in.Clips) == 0 {
		return out, nil
	}
	slides := append([]simvid.Slide(nil), s.Slides...) // the caller's spec stays as it was
	for i := range slides {
		sl := &slides[i]
		c, ok := in.Clips[sl.Asset]
		if !ok {
			continue
		}
		cs := &ClipSlide{Clip: c, Asset: sl.Asset, In: sl.In, Out: sl.Out, Speed: sl.Speed, Mute: sl.Mute}
		if cs.Speed == 0 {
			cs.Speed = 1
		}
		if cs.Out == 0 || cs.Out > c.Duration {
			cs.Out = c.Duration
		}
		switch {
		case !finite(cs.In, cs.Out, cs.Speed) || cs.Speed < MinClipSpeed || cs.Speed > MaxClipSpeed:
			return nil, simvid.Errorf(simvid.EUnprocessable, "slides[%d].speed must be between %g and %g (got %g)", i, MinClipSpeed, MaxClipSpeed, sl.Speed)
		case cs.In < 0 || cs.Out-cs.In < 0.1:
			return nil, simvid.Errorf(simvid.EUnprocessable, "slides[%d]: in must be 0 or more and at least 0.1 s before out and the clip's end (%g s; got in %g, out %g)", i, c.Duration, sl.In, sl.Out)
		case c.Width <= 0 || c.Height <= 0 || (c.Rotation != 0 && c.Rotation != 90 && c.Rotation != 180 && c.Rotation != 270):
			return nil, simvid.Errorf(simvid.EUnprocessable, "slide %d's clip was not probed", i+1)
		case c.HDR != "" && c.HDR != "hlg" && c.HDR != "pq":
			return nil, simvid.Errorf(simvid.EUnprocessable, "slide %d's clip has an unknown HDR transfer", i+1)
		}
		if sl.Duration == 0 {
			sl.Duration = (cs.Out - cs.In) / cs.Speed
		}
		sl.Motion = "none" // no Ken Burns on a moving picture
		out[i] = cs
	}
	s.Slides = slides
	return out, nil
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// ClipRun is the part of a clip a segment shows: clip seconds from From for Frames frames at
// the plan's fps, fitted as Fit (a Still with no picture of its own: its fit, background,
// focus, size and caption).
type ClipRun struct {
	Src  ClipSlide
	From float64
	Fit  Still
	// Stills are the plan's stills that are frames of this run (its first, and the one after
	// its last for the transition out): the segment's ffmpeg writes them beside it, so that
	// the clip is decoded once, and the frames at each join are the run's own.
	Stills []RunStill
}

// RunStill is a still a clip's run writes: frame Frame of the run (Frame = the segment's
// length being the frame the run would show next).
type RunStill struct {
	Key   string
	Frame int64
}

// ClipFrame is a still taken from a clip: the frame shown at clip second At (for the
// transitions into and out of a clip slide, which show the clip still, and the poster).
// Last means the last frame at or before At, else the first at or after it.
type ClipFrame struct {
	Src  ClipSlide
	At   float64
	Last bool
	// Run, when the slide has a segment, makes the still frame Run.Frame of that segment's
	// run (from Run.From at Run.FPS) rather than the frame nearest At: the same pixels as
	// the segment's own frames, whichever ffmpeg writes them.
	Run *RunFrame
}

// RunFrame places a clip still in its slide's run: see ClipFrame.
type RunFrame struct {
	From  float64
	FPS   int
	Frame int64
}

// addClipStills gives every clip slide its stills once the timeline is set: the frame its
// segment starts with (the transition into it, or the poster) and, when a transition leaves
// it, the frame where its segment ends (clamped to the clip's last frame when it holds).
func (p *Plan) addClipStills(in Input, clips []*ClipSlide) {
	seen := map[string]int{}
	for i, st := range p.Stills {
		seen[st.Key] = i
	}
	add := func(st Still, slide int) int { return p.addStill(st, slide, seen, in.FFmpegVersion) }
	for i := range p.Slides {
		sp := &p.Slides[i]
		cs := clips[i]
		if cs == nil {
			sp.OutStill = sp.Still
			continue
		}
		tmpl := sp.fit
		tmpl.Asset, tmpl.SHA256, tmpl.Format = cs.Asset, cs.SHA256, cs.Format
		// The frames of the slide's run (segments leaves out an empty one): its first, and
		// the one after its last, which the transition out shows.
		from, n := cs.from(sp.In, p.FPS), sp.Frames-sp.In-sp.Out
		runFrame := func(k int64) *RunFrame {
			if n <= 0 {
				return nil
			}
			return &RunFrame{From: from, FPS: p.FPS, Frame: k}
		}
		first := tmpl
		first.Clip = &ClipFrame{Src: *cs, At: from, Run: runFrame(0)}
		sp.Still = add(first, i)
		sp.OutStill = sp.Still
		if sp.Out > 0 {
			last := tmpl
			last.Clip = &ClipFrame{Src: *cs, At: min(cs.at(sp.Frames-sp.Out, p.FPS), cs.Out), Last: true, Run: runFrame(n)}
			sp.OutStill = add(last, i)
		}
	}
}

// clipFPS is the clip's frame rate, 30 when intake did not learn it.
func clipFPS(c *ClipSlide) float64 {
	if c.FPS > 0 {
		return c.FPS
	}
	return 30
}

// clipKey covers the pixels of a clip's frames as a run or a still shows them.
func clipKey(c ClipSlide) string {
	return fmt.Sprintf("clip %s %s %dx%d coded %dx%d rot %d hdr %q matrix %q in %s out %s speed %s",
		c.SHA256, c.Format, c.Width, c.Height, c.CodedW, c.CodedH, c.Rotation, c.HDR, c.Matrix, ff(c.In), ff(c.Out), ff(c.Speed))
}
