package render

import (
	"fmt"
	"strings"
)

// runStills are the stills of clip slide sl that are frames of its run (ClipFrame.Run):
// its first, and the one its transition out shows.
func (p *Plan) runStills(sl SlidePlan) []RunStill {
	var out []RunStill
	for _, i := range []int{sl.Still, sl.OutStill} {
		st := p.Stills[i]
		if st.Clip == nil || st.Clip.Run == nil || (len(out) > 0 && out[0].Key == st.Key) {
			continue
		}
		out = append(out, RunStill{Key: st.Key, Frame: st.Clip.Run.Frame})
	}
	return out
}

// withRunStills splits a clip run's graph g (ending in [v]) to also write its stills: paths[i]
// is where stills[i] goes, "" for one not wanted (cached already). It returns the graph and
// the still outputs' arguments, which follow the segment's. A still is the run's frame as it
// leaves the graph, before the encoder: the very pixels the segment's frames are made from.
func withRunStills(g string, stills []RunStill, paths []string) (string, []string) {
	var pads, chains, outs []string
	for i, p := range paths {
		if p == "" || i >= len(stills) {
			continue
		}
		n := len(pads)
		f := stills[i].Frame
		pads = append(pads, fmt.Sprintf("[r%d]", n))
		chains = append(chains, fmt.Sprintf("[r%d]%s[s%d]", n, frameOnly(f), n))
		outs = append(outs, stillOutput(fmt.Sprintf("[s%d]", n), p)...)
	}
	if len(pads) == 0 {
		return g, nil
	}
	g = strings.TrimSuffix(g, "[v]") + fmt.Sprintf(",split=%d[v]", len(pads)+1) + strings.Join(pads, "") + ";" + strings.Join(chains, ";")
	return g, outs
}

// clipRunStillArgs makes one still of a clip's run alone, when its segment is cached and the
// still is not (trimmed from the cache, or the segment made elsewhere): the run's own decode
// and graph up to the still's frame, without the encoder, so that its pixels are the ones
// the run would have written.
func clipRunStillArgs(st Still, srcPath, outPath string, f Files) ([]string, error) {
	cf := st.Clip
	seg := Segment{Kind: KindClip, FPS: cf.Run.FPS, Clip: &ClipRun{Src: cf.Src, From: cf.Run.From, Fit: st}}
	a, g, err := clipRun(seg, srcPath, f)
	if err != nil {
		return nil, err
	}
	g = strings.TrimSuffix(g, "[v]") + "," + frameOnly(cf.Run.Frame) + "[s]"
	return append(append(a, "-filter_complex", g), stillOutput("[s]", outPath)...), nil
}

// frameOnly passes frame k alone.
func frameOnly(k int64) string { return fmt.Sprintf("trim=start_frame=%d:end_frame=%d", k, k+1) }

// stillOutput writes the one frame of pad as a still.
func stillOutput(pad, path string) []string {
	return []string{"-map", pad, "-frames:v", "1", "-an", "-f", "yuv4mpegpipe", fileURL(path)}
}

// ClipRuns are the plan's clip segments whose runs write stills, once per key (with the
// stills of every slide showing that run), and the keys of those stills: a render makes
// these segments while it prepares its stills (the transitions beside a clip read them),
// and the rest of its stills one by one.
func (p *Plan) ClipRuns() (runs []Segment, stills map[string]bool) {
	stills = map[string]bool{}
	at := map[string]int{}
	for _, sg := range p.Segments {
		if sg.Clip == nil || len(sg.Clip.Stills) == 0 {
			continue
		}
		own := sg.Clip.Stills
		i, seen := at[sg.Key]
		if !seen {
			i, at[sg.Key] = len(runs), len(runs)
			run := *sg.Clip // the plan's own stays as it is
			run.Stills = nil
			sg.Clip = &run
			runs = append(runs, sg)
		}
		for _, rs := range own {
			if !stills[rs.Key] {
				stills[rs.Key] = true
				runs[i].Clip.Stills = append(runs[i].Clip.Stills, rs)
			}
		}
	}
	return runs, stills
}
