// Package render plans a video without touching a file: spec and probe facts in, a frame-exact
// timeline of stills and segments with their cache keys and ffmpeg arguments out.
package render

import (
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/simvid"
)

// FormatVersion is part of every cache key: bump it when a change here changes the bytes of a
// still, a segment or the audio, so that old cache entries are never reused.
const FormatVersion = "simvid-render-1"

// Image is what intake learned about a picture. Width and Height are upright (after the EXIF
// orientation is applied); Orientation is the EXIF value (1..8, 0 = unknown = upright).
type Image struct {
	SHA256        string
	Width, Height int
	Orientation   int
	Format        string // as intake sniffed it: "jpeg", "png", ...; the decoder may scale a JPEG down (Still.Lowres)
	// Name (the original file name) and TakenAt (nil = unknown) order the slides (arrange);
	// they are in no cache key: the order changes the plan, not a still's bytes.
	Name    string
	TakenAt *time.Time
}

// Audio is what intake learned about a music file.
type Audio struct {
	SHA256   string
	Duration float64 // seconds of the working copy
	// Beats are the track's beats (from the start of the working copy), for beat_sync; nil
	// when unknown, Tempo 0 when it has no clear beat.
	Beats *simvid.Beats
}

// Input is everything the plan depends on. Spec is normalized and validated already.
type Input struct {
	Spec          simvid.Spec
	Images        map[string]Image // by asset id
	Clips         map[string]Clip  // by asset id: the video clips shown as slides
	Audio         map[string]Audio // by asset id
	FFmpegVersion string           // part of cache keys
	Lossless      bool             // encode with -qp 0 (tests compare against single-pass renders)
}

// Plan is a whole render worked out to the frame, as NewPlan returns it.
type Plan struct {
	W, H, FPS int
	Frames    int64   // the video's length in frames: the sum of the slides
	Duration  float64 // Frames / FPS seconds
	Encoder   Encoder
	Slides    []SlidePlan
	Stills    []Still   // one per distinct picture at output size and fit
	Segments  []Segment // in order; their frames add up to Frames
	Audio     *AudioPlan
	Warnings  []string
	Key       string // hash of every segment key and the audio key: the final file's identity
}

// SlidePlan is one slide on the timeline. In is the frames it gives to the transition into it,
// Out those it gives to the transition out of it.
type SlidePlan struct {
	Index  int
	Asset  string
	Still  int // index into Plan.Stills
	Start  int64
	Frames int64
	In     int64
	Out    int64
	Motion string   // resolved ("auto" is never left)
	Move   *Move    // nil for none
	Cap    *Caption // drawn per frame over a moving slide (a still slide's is in its still)
	// Clip is a clip slide's part of its clip (nil for a picture). Its Still is the frame its
	// segment starts with, OutStill the one it ends with: the transitions show these.
	Clip     *ClipSlide
	OutStill int
	fit      Still // a clip slide's fit, size and caption, for its stills and its segment
}

// Still is one picture decoded once, fitted to the output size and stored losslessly.
type Still struct {
	Key         string
	Asset       string
	SHA256      string
	Format      string // as sniffed at intake ("jpeg", "png", ...): the demuxer that reads it
	Orientation int
	Fit         string  // contain, blur, cover
	Background  string  // "#rrggbb" (contain)
	FocusX      float64 // 0..1 (cover)
	FocusY      float64
	W, H        int
	Lowres      int        // the JPEG is decoded at 1/2^Lowres of its size (ffargs.Lowres): still more pixels than the fit keeps
	Caption     *Caption   // drawn into the still (slides without motion)
	Slides      []int      // slide indices using it, for error messages
	Clip        *ClipFrame // a frame of a video clip rather than a picture
}

// Segment kinds.
const (
	KindHold       = "hold"
	KindTransition = "transition"
	KindClip       = "clip" // a run of a video clip's frames (Segment.Clip)
)

// Segment is a run of frames one ffmpeg process renders alone.
type Segment struct {
	Index      int
	Kind       string
	Slides     []int // the slide held, or the two slides of a transition
	Stills     []string
	Transition string     // xfade name, for transitions
	Moves      []*Move    // per input: its slide's motion (nil entries hold still); nil for none
	Captions   []*Caption // per input: the caption drawn over a moving slide
	Start      int64
	Frames     int64
	FPS        int
	Key        string
	Clip       *ClipRun // the clip shown, for KindClip
}

// NewPlan works out the timeline, the stills, the segments and the audio of a render.
func NewPlan(in Input) (*Plan, error) {
	s := &in.Spec
	if len(s.Slides) == 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "the project has no slides")
	}
	w, h, err := simvid.ParseResolution(s.Output.Resolution)
	if err != nil {
		return nil, err
	}
	if s.Output.FPS <= 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "output.fps must be positive")
	}
	p := &Plan{W: w, H: h, FPS: s.Output.FPS}
	if p.Encoder, err = EncoderForSize(s.Output.Quality, w, h, p.FPS, in.Lossless); err != nil {
		return nil, err
	}
	arrange(&in)
	expandTitles(&in)
	clips, err := resolveClips(&in)
	if err != nil {
		return nil, err
	}
	if err := stretchToMusic(&in); err != nil {
		return nil, err
	}
	p.beatSync(&in)
	if err := p.addStills(in, clips); err != nil {
		return nil, err
	}
	p.timeline(s)
	p.addClipStills(in, clips)
	if err := p.segments(in); err != nil {
		return nil, err
	}
	if p.Audio, err = planAudio(in, p.Frames, p.FPS, p.Slides); err != nil {
		return nil, err
	}
	p.Duration = float64(p.Frames) / float64(p.FPS)
	p.Key = p.finalKey()
	return p, nil
}

// addStill adds still st (keyed here) to the plan once per key, seen being the keys added
// so far, and notes that slide shows it; it returns the still's index.
func (p *Plan) addStill(st Still, slide int, seen map[string]int, ffmpegVersion string) int {
	st.Key = stillKey(st, ffmpegVersion)
	j, ok := seen[st.Key]
	if !ok {
		j = len(p.Stills)
		seen[st.Key] = j
		p.Stills = append(p.Stills, st)
	}
	p.Stills[j].Slides = append(p.Stills[j].Slides, slide)
	return j
}

// addStills gives every slide a still, one per distinct (picture, size, fit, background).
func (p *Plan) addStills(in Input, clips []*ClipSlide) error {
	s := &in.Spec
	seen := map[string]int{}
	motions := resolveMotions(s)
	for i, sl := range s.Slides {
		img, ok := in.Images[sl.Asset]
		if clips[i] != nil {
			img, ok = Image{SHA256: clips[i].SHA256}, true
		}
		if !ok {
			return simvid.Errorf(simvid.EUnprocessable, "slide %d's picture (%s) is not in the project", i+1, sl.Asset)
		}
		st := Still{Asset: sl.Asset, SHA256: img.SHA256, Format: img.Format, Orientation: img.Orientation,
			Fit: s.SlideFit(i), W: p.W, H: p.H, FocusX: 0.5, FocusY: 0.5}
		if c, ok := colorStill(sl.Asset); ok {
			st.Fit, st.Background = FitColor, c
		}
		switch st.Fit {
		case FitColor:
		case "contain":
			st.Background = s.Defaults.Background
			if !colorRE.MatchString(st.Background) {
				return simvid.Errorf(simvid.EUnprocessable, "defaults.background must be a colour like #000000 (got %q)", st.Background)
			}
		case "blur":
		case "cover":
			if len(sl.Focus) == 2 {
				st.FocusX, st.FocusY = sl.Focus[0], sl.Focus[1]
			}
		default:
			return simvid.Errorf(simvid.EUnprocessable, "slides[%d].fit %q is not supported", i, st.Fit)
		}
		sp := SlidePlan{Index: i, Asset: sl.Asset, Motion: motions[i]}
		if m := motions[i]; m != "none" {
			st.W, st.H = superSize(p.W, p.H, s.SlideStrength(i))
			fx, fy := 0.5, 0.5
			if len(sl.Focus) == 2 {
				fx, fy = sl.Focus[0], sl.Focus[1]
			}
			if sp.Move = newMove(m, 0, st.W, st.H, p.W, p.H, s.SlideStrength(i), fx, fy); sp.Move == nil {
				return simvid.Errorf(simvid.EUnprocessable, "slides[%d].motion %q is not supported", i, m)
			}
			sp.Cap = newCaption(sl.Caption, s.SlideCaptionStyle(i), p.W, p.H)
		} else {
			st.Caption = newCaption(sl.Caption, s.SlideCaptionStyle(i), p.W, p.H)
		}
		if clips[i] != nil { // its stills are frames of the clip, taken once the timeline is set
			sp.Clip, sp.fit, sp.Still = clips[i], st, -1
			p.Slides = append(p.Slides, sp)
			continue
		}
		st.Lowres = StillLowres(st, img)
		sp.Still = p.addStill(st, i, seen, in.FFmpegVersion)
		p.Slides = append(p.Slides, sp)
	}
	return nil
}

// StillLowres is how far the decoder may scale img down for st: as long as the picture still
// covers the size the fit scales it to (contain and blur's foreground: inside W×H; cover:
// over it), so that the fit's own scale always shrinks. Decoding at a quarter of the pixels
// is most of intake's and a still's memory (ffargs.Lowres).
func StillLowres(st Still, img Image) int {
	if st.Fit == FitColor || img.Width <= 0 || img.Height <= 0 {
		return 0
	}
	w, h := float64(img.Width), float64(img.Height)
	s := min(float64(st.W)/w, float64(st.H)/h)
	if st.Fit == "cover" {
		s = max(float64(st.W)/w, float64(st.H)/h)
	}
	needW, needH := int(math.Ceil(w*s)), int(math.Ceil(h*s))
	return ffargs.Lowres(img.Format, img.Width, img.Height, needW, needH)
}

// segments cuts the timeline into holds and transitions; empty holds are left out.
func (p *Plan) segments(in Input) error {
	add := func(sg Segment) {
		if sg.Frames <= 0 {
			return
		}
		sg.Index, sg.FPS = len(p.Segments), p.FPS
		sg.Key = segmentKey(sg, p, in.FFmpegVersion)
		p.Segments = append(p.Segments, sg)
	}
	// A moving slide moves over every frame it shows: from the start of the transition into
	// it (lead: the slide before's Out frames) to the end of the one out of it (the slide
	// after's In frames), so that its motion runs on, never back, across both transitions.
	lead := make([]int64, len(p.Slides))
	for i, sl := range p.Slides {
		if i > 0 {
			lead[i] = p.Slides[i-1].Out
		}
		if sl.Move != nil {
			sl.Move.Total = lead[i] + sl.Frames // known once the timeline is set
			if i+1 < len(p.Slides) {
				sl.Move.Total += p.Slides[i+1].In
			}
		}
	}
	for i, sl := range p.Slides {
		still := p.Stills[sl.OutStill].Key
		hold := Segment{Kind: KindHold, Slides: []int{i}, Stills: []string{still},
			Start: sl.Start + sl.In, Frames: sl.Frames - sl.In - sl.Out}
		if sl.Clip != nil {
			hold.Kind, hold.Stills = KindClip, nil
			hold.Clip = &ClipRun{Src: *sl.Clip, From: sl.Clip.from(sl.In, p.FPS), Fit: sl.fit}
			hold.Clip.Stills = p.runStills(sl)
		}
		if sl.Move != nil {
			hold.Kind, hold.Moves, hold.Captions = KindMotion, []*Move{sl.Move.at(lead[i] + sl.In)}, []*Caption{sl.Cap}
		}
		for _, part := range splitMotion(hold, p.FPS) {
			add(part)
		}
		if sl.Out > 0 {
			next := p.Slides[i+1]
			name := transitionName(&in.Spec, i, p.Stills[sl.OutStill].SHA256)
			if !nameRE.MatchString(name) { // it goes into a filter string
				return simvid.Errorf(simvid.EUnprocessable, "slides[%d].transition %q is not a transition name", i, name)
			}
			tr := Segment{Kind: KindTransition, Slides: []int{i, i + 1},
				Stills:     []string{still, p.Stills[next.Still].Key},
				Transition: name, Start: sl.Start + sl.Frames - sl.Out, Frames: sl.Out + next.In}
			if sl.Move != nil || next.Move != nil {
				tr.Moves = []*Move{sl.Move.at(lead[i] + sl.Frames - sl.Out), next.Move.at(0)}
				tr.Captions = []*Caption{sl.Cap, next.Cap}
			}
			add(tr)
		}
	}
	return nil
}

var (
	colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	nameRE  = regexp.MustCompile(`^[a-z0-9]{1,32}$`)
)

// StillOf returns the still with the given key.
func (p *Plan) StillOf(key string) (Still, error) {
	for _, st := range p.Stills {
		if st.Key == key {
			return st, nil
		}
	}
	return Still{}, fmt.Errorf("render: no still %s in the plan", key)
}
