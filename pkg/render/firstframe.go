package render

// A fade from still A made in the bitstream starts with A encoded exactly as a hold of A
// starts (EndFramesArgs), and with the still-picture tuning x264 codes that first picture
// the same to the bit whether another picture follows or not: without a lookahead, a
// macroblock tree, adaptive B-frame placement or scene-cut detection, nothing it decides for
// the first picture depends on the next. Checked with ffmpeg 5.1 (x264 163) on 1080p corpus
// photos and generated pictures, standard quality with its rate cap, 0 to 2 threads: the
// one-picture stream is a prefix of the two-picture one, SEI included. Without the tuning
// (the high quality's medium preset) the first picture's quantisers follow the macroblock
// tree of the next, and the bits differ within the first slice. So a hold whose still starts
// a fade takes its first frame from the fade's keyframes run and starts no ffmpeg of its
// own: 11 of the reference show's 23 runs.

// SharesFirstFrame reports whether hold's first frame, encoded with enc (FirstFrameArgs), is
// to the bit the first frame of fade's end frames (EndFramesArgs).
func SharesFirstFrame(hold, fade Segment, enc Encoder) bool {
	return enc.tunesStatic() && hold.Making(enc) == Repeated && fade.Making(enc) == Dissolved &&
		len(hold.Stills) == 1 && len(fade.Stills) == 2 && hold.Stills[0] == fade.Stills[0] && hold.FPS == fade.FPS
}

// FirstFrameUnits cuts segs into the runs to make one after another, in order: a Dissolved
// fade followed by the holds among segs that take their first frame from it
// (SharesFirstFrame: each from the first such fade in segs), and every other segment alone.
// Every segment of segs is in exactly one unit; a unit starts with the earliest of its
// segments' places in segs, so units keep the order of segs.
func FirstFrameUnits(segs []Segment, enc Encoder) [][]Segment {
	type start struct {
		still string
		fps   int
	}
	fades := map[start]int{} // the first Dissolved fade from a still
	for j := len(segs) - 1; j >= 0; j-- {
		if f := segs[j]; f.Making(enc) == Dissolved && len(f.Stills) == 2 {
			fades[start{f.Stills[0], f.FPS}] = j
		}
	}
	from := make([]int, len(segs)) // the fade a hold waits for, or -1
	for i, h := range segs {
		from[i] = -1
		if len(h.Stills) == 1 {
			if j, ok := fades[start{h.Stills[0], h.FPS}]; ok && SharesFirstFrame(h, segs[j], enc) {
				from[i] = j
			}
		}
	}
	var units [][]Segment
	at := make([]int, len(segs)) // the unit of a fade that has holds waiting for it, +1
	place := func(j int) int {   // the unit that holds segs[j], made when first needed
		if at[j] == 0 {
			units = append(units, []Segment{segs[j]})
			at[j] = len(units)
		}
		return at[j] - 1
	}
	for i, sg := range segs {
		if f := from[i]; f >= 0 {
			u := place(f)
			units[u] = append(units[u], sg)
			continue
		}
		if sg.Making(enc) == Dissolved {
			place(i)
			continue
		}
		units = append(units, []Segment{sg})
	}
	return units
}
