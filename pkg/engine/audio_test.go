package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestAudioPiecesDecodeAsOne: the music track joined from pieces made by separate encoders
// decodes to the samples the plan asks for as well as one encoder's track does, at every
// join as everywhere else; a fade edit re-encodes only the piece it touches.
func TestAudioPiecesDecodeAsOne(t *testing.T) {
	k := newKit(t)
	// Tones that glide, clicks and noise: misplaced or mismatched samples at a join show.
	work := filepath.Join(k.dir, "work.flac")
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i",
		"aevalsrc=0.3*sin(2*PI*(300+40*t)*t)+0.3*sin(2*PI*3100*t)*lt(mod(t\\,0.37)\\,0.03)|0.3*sin(2*PI*(900-20*t)*t):s=48000:d=30",
		"-f", "lavfi", "-i", "anoisesrc=a=0.05:c=pink:r=48000:d=30:seed=7",
		"-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0", "-ac", "2", "-sample_fmt", "s16", "-c:a", "flac", work)

	cases := []struct {
		name        string
		start, end  float64 // of the clip
		fit         string
		single      string // the same samples, by a hand-written filter
		slides      int
		fadeIn      float64
		defaultFade bool
	}{
		// Each track is three pieces (2, 4 and 2 s): two joins, the last piece's under the
		// fade-out. (Longer tracks only repeated the middle piece's join, at twice the cost.)
		// 8 s of a long clip from 2.5 s: pieces past the first are read from a seek.
		{name: "cut", start: 2.5, fit: "loop", slides: 4, fadeIn: 1,
			single: "atrim=start=2.5,asetpts=N/SR/TB,apad,atrim=end_sample=384000,afade=t=in:d=1,afade=t=out:st=6.5:d=1.5"},
		// A 3.3 s clip looped over 8 s: the loop's seams fall in the second and third pieces.
		{name: "loop", start: 1, end: 4.3, fit: "loop", slides: 4,
			single: "atrim=start=1:end=4.3,asetpts=N/SR/TB,aloop=loop=-1:size=206400,apad,atrim=end_sample=384000,afade=t=out:st=6.5:d=1.5"},
		// 4 s of music, then silence to 8 s: the music ends inside the second piece.
		{name: "trim", start: 26, fit: "trim", slides: 4,
			single: "atrim=start=26,asetpts=N/SR/TB,apad,atrim=end_sample=384000,afade=t=out:st=6.5:d=1.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := musicShow(c.slides, render.Audio{SHA256: c.name, Duration: 30},
				simvid.AudioClip{Start: c.start, End: c.end}, simvid.MusicSpec{Fit: c.fit, FadeIn: c.fadeIn})
			p, err := render.NewPlan(in)
			if err != nil {
				t.Fatal(err)
			}
			a := p.Audio
			track, err := k.eng.PrepareAudio(context.Background(), a, work, 0)
			if err != nil {
				t.Fatal(err)
			}
			if msg := k.decodeErrors(track); msg != "" {
				t.Errorf("decoding the joined track: %s", msg)
			}
			want := k.pcm(work, c.single)
			if int64(len(want)) != 2*a.Samples() {
				t.Fatalf("the hand-written filter gives %d samples, want %d", len(want)/2, a.Samples())
			}
			one := filepath.Join(k.dir, c.name+"-one.m4a")
			k.ffmpeg("-v", "error", "-i", work, "-af", c.single, "-c:a", "aac", "-b:a", render.AudioBitrate, "-f", "ipod", one)
			// ffmpeg decodes the last frame whole, past the edit's end: compare the track's length.
			joined, single := k.pcm(track, ""), k.pcm(one, "")
			if len(joined) != len(single) || len(joined) < len(want) {
				t.Fatalf("the joined track decodes to %d samples, one encoder's to %d, want %d", len(joined)/2, len(single)/2, len(want)/2)
			}
			if d := k.duration(track); math.Abs(d-a.Seconds()) > 0.0005 {
				t.Errorf("the joined track lasts %.4f s, want %.4f s", d, a.Seconds())
			}
			// Every encoder is fed exactly the samples a single pass gives: the same graph with
			// raw samples out instead of AAC.
			outs := make([]string, len(a.Pieces))
			for i := range outs {
				outs[i] = filepath.Join(k.dir, fmt.Sprintf("%s-%d.wav", c.name, i))
			}
			args := strings.Join(render.AudioPiecesArgs(a, a.Pieces, work, outs), "\x00")
			aac := "-c:a\x00aac\x00-b:a\x00" + render.AudioBitrate + "\x00-ar\x0048000\x00-f\x00ipod"
			if n := strings.Count(args, aac); n != len(a.Pieces) {
				t.Fatalf("%d AAC outputs in the arguments, want %d: %q", n, len(a.Pieces), args)
			}
			k.ffmpeg(strings.Split(strings.ReplaceAll(args, aac, "-c:a\x00pcm_f32le\x00-f\x00wav"), "\x00")...)
			for i, pc := range a.Pieces {
				fed := k.pcm(outs[i], "")
				if int64(len(fed)) != 2*(pc.To-pc.From) || !slices.Equal(fed, want[2*pc.From:2*pc.To]) {
					t.Errorf("piece %d's encoder is fed %d samples that differ from the track's %d-%d", i, len(fed)/2, pc.From, pc.To)
				}
			}

			whole, wholeOne := snr(want, joined, 0, len(want)), snr(want, single, 0, len(want))
			// The joins: the first sample of each piece's first packet, with 2048 samples
			// either side. Logged, not judged: ffmpeg's AAC encoder is chaotic, the same music
			// from another start differs by a dB or two overall and by 10-15 dB now and then at
			// a transient (a single encoder's too), so only the whole track's figure is judged.
			// A sample out of place costs far more than that everywhere.
			worst, worstOne, at := math.Inf(1), math.Inf(1), 0
			for _, pc := range a.Pieces[1:] {
				s := int((pc.First - 1) * render.AACFrame)
				lo, hi := 2*max(0, s-2048), 2*min(int(a.Samples()), s+2048)
				if v := snr(want, joined, lo, hi); v < worst {
					worst, worstOne, at = v, snr(want, single, lo, hi), s
				}
			}
			t.Logf("%d pieces: SNR %.1f dB joined, %.1f dB one encoder; worst join at sample %d: %.1f dB (one encoder there %.1f dB)",
				len(a.Pieces), whole, wholeOne, at, worst, worstOne)
			if whole < wholeOne-2.5 {
				t.Errorf("the joined track is worse than one encoder's: %.1f against %.1f dB", whole, wholeOne)
			}

			// A fade-in 0.25 s shorter or longer, within the first piece's samples (1 s before
			// the second's encoder starts): a new first piece; the others are in the cache.
			before := cachedAudio(t, k)
			a2 := *a
			in.Spec.Music.FadeIn = math.Abs(c.fadeIn - 0.25)
			p2, err := render.NewPlan(in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.eng.PrepareAudio(context.Background(), p2.Audio, work, 0); err != nil {
				t.Fatal(err)
			}
			if added := cachedAudio(t, k) - before; added != 2 || p2.Audio.Pieces[1].Key != a2.Pieces[1].Key {
				t.Errorf("a longer fade-in added %d files to the cache, want 2 (the first piece and the track)", added)
			}
		})
	}
}

// pcm decodes a file's audio (through filter, if not "") to 48 kHz stereo float samples.
func (k *kit) pcm(path, filter string) []float32 {
	k.t.Helper()
	args := []string{"-v", "error", "-i", path}
	if filter != "" {
		args = append(args, "-af", filter)
	}
	out, err := exec.Command("ffmpeg", append(args, "-ac", "2", "-ar", "48000", "-f", "f32le", "-")...).Output()
	if err != nil {
		k.t.Fatalf("decoding %s: %v", path, err)
	}
	s := make([]float32, len(out)/4)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return s
}

// snr is the signal-to-noise ratio in dB of got against want over samples [lo, hi).
func snr(want, got []float32, lo, hi int) float64 {
	var sig, noise float64
	for i := lo; i < hi; i++ {
		d := float64(want[i] - got[i])
		sig += float64(want[i]) * float64(want[i])
		noise += d * d
	}
	if sig == 0 { // silence: kept, or not
		return map[bool]float64{true: math.Inf(1), false: math.Inf(-1)}[noise < 1e-12]
	}
	return 10 * math.Log10(sig/max(noise, 1e-20))
}

// duration is a file's duration as ffprobe reads it from the container.
func (k *kit) duration(path string) float64 {
	k.t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
	if err != nil {
		k.t.Fatalf("ffprobe %s: %v", path, err)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		k.t.Fatalf("ffprobe %s: %q", path, out)
	}
	return d
}

// cachedAudio counts the music tracks and pieces in the cache.
func cachedAudio(t *testing.T, k *kit) int {
	t.Helper()
	tracks, _ := filepath.Glob(filepath.Join(k.dir, "cache", "audio", "*.m4a"))
	pieces, _ := filepath.Glob(filepath.Join(k.dir, "cache", "audio", "pieces", "*.m4a"))
	return len(tracks) + len(pieces)
}

// Calls for the same track at once (a render starting while its edit's mix_music job runs)
// share one making of it.
func TestAudioMadeOnceForConcurrentCalls(t *testing.T) {
	k := newKit(t)
	work := k.music("tone.flac", 10)
	core, logs := observer.New(zap.DebugLevel)
	eng := New(k.ff, filepath.Join(k.dir, "cache"), filepath.Join(k.dir, "tmp"), zap.New(core))
	in := musicShow(4, render.Audio{SHA256: "tone", Duration: 10}, simvid.AudioClip{}, simvid.MusicSpec{})
	p, err := render.NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	paths := make([]string, 3)
	for i := range paths {
		g.Go(func() (err error) {
			paths[i], err = eng.PrepareAudio(context.Background(), p.Audio, work, 1)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	made := logs.FilterMessage("music pieces encoded").Len()
	t.Logf("3 calls at once: the pieces were made %d time(s)", made)
	if made != 1 || paths[0] != paths[1] || paths[1] != paths[2] || !exists(paths[0]) {
		t.Errorf("3 calls at once made the pieces %d times, giving %v", made, paths)
	}
}

// A render that starts while the pieces its track shares with every render are being
// prepared (render.TrackPieces, queued as the music becomes ready) waits for those pieces
// rather than encoding them again beside that encoder: each piece is encoded once.
func TestAudioPiecesEncodedOnceWhileTrackPiecesAreMade(t *testing.T) {
	k := newKit(t)
	work := k.music("tone.flac", 30)
	core, logs := observer.New(zap.DebugLevel)
	eng := New(ffmpeg.New("", "", zap.New(core)), filepath.Join(k.dir, "cache"), filepath.Join(k.dir, "tmp"), zap.New(core))
	info := render.Audio{SHA256: "tone", Duration: 30}
	in := musicShow(8, info, simvid.AudioClip{}, simvid.MusicSpec{})
	p, err := render.NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	track := render.TrackPieces(in.Spec.Audio[0], in.Spec.Music, info, "test")
	distinct := map[string]bool{}
	shared := 0
	for _, pc := range track.Pieces {
		distinct[pc.Key] = true
	}
	for _, pc := range p.Audio.Pieces {
		if distinct[pc.Key] {
			shared++
		}
		distinct[pc.Key] = true
	}
	if shared == 0 {
		t.Fatalf("the render's %d pieces share none with the track's %d: the test shows nothing", len(p.Audio.Pieces), len(track.Pieces))
	}
	var g errgroup.Group
	g.Go(func() error { return eng.PrepareAudioPieces(context.Background(), track, work, 1) })
	g.Go(func() error {
		_, err := eng.PrepareAudio(context.Background(), p.Audio, work, 1)
		return err
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	encoded := 0
	for _, e := range logs.FilterMessage("music pieces encoded").All() {
		encoded += int(e.ContextMap()["encoded"].(int64))
	}
	t.Logf("track pieces %d, render pieces %d (%d shared): %d encoded", len(track.Pieces), len(p.Audio.Pieces), shared, encoded)
	if encoded != len(distinct) {
		t.Errorf("%d pieces encoded for %d distinct ones", encoded, len(distinct))
	}
	// And the render's own pieces after the ones it waited for: one AAC encoder at a time.
	type span struct{ from, to time.Time }
	var runs []span
	for _, e := range logs.FilterMessage("ffmpeg").All() {
		if e.ContextMap()["kind"] == string(ffmpeg.KindMusicPieces) {
			runs = append(runs, span{e.Time.Add(-e.ContextMap()["took"].(time.Duration)), e.Time})
		}
	}
	if len(runs) < 2 {
		t.Fatalf("%d music pieces runs logged, want two or more", len(runs))
	}
	slices.SortFunc(runs, func(a, b span) int { return a.from.Compare(b.from) })
	for i := 1; i < len(runs); i++ {
		if runs[i].from.Before(runs[i-1].to) {
			t.Errorf("music pieces encoders ran together: one started %.2f s before the one before it ended", runs[i-1].to.Sub(runs[i].from).Seconds())
		}
	}
}

// A claim hands out only pieces nobody is making; the others come with what to wait for,
// and are free again once their maker releases them.
func TestPieceClaims(t *testing.T) {
	var c pieceClaims
	ps := func(keys ...string) (out []render.AudioPiece) {
		for _, k := range keys {
			out = append(out, render.AudioPiece{Key: k})
		}
		return out
	}
	keys := func(ps []render.AudioPiece) (out []string) {
		for _, p := range ps {
			out = append(out, p.Key)
		}
		return out
	}
	mine1, theirs1, _, release1 := c.claim(ps("a", "b"))
	mine2, theirs2, wait2, release2 := c.claim(ps("b", "c"))
	if !slices.Equal(keys(mine1), []string{"a", "b"}) || len(theirs1) != 0 ||
		!slices.Equal(keys(mine2), []string{"c"}) || !slices.Equal(keys(theirs2), []string{"b"}) || len(wait2) != 1 {
		t.Fatalf("claims: %v %v then %v %v", keys(mine1), keys(theirs1), keys(mine2), keys(theirs2))
	}
	select {
	case <-wait2[0]:
		t.Fatal("b is free before its maker released it")
	default:
	}
	release1()
	release1() // twice is harmless
	<-wait2[0]
	mine3, _, _, release3 := c.claim(ps("a", "b", "c"))
	if !slices.Equal(keys(mine3), []string{"a", "b"}) {
		t.Fatalf("after the release: mine %v, want a b (c is still claimed)", keys(mine3))
	}
	release2()
	release3()
}

// A looping show's pieces within the music's first pass share their keys with the pieces made
// when the music became ready (render.TrackPieces, which does not loop): the looping graph
// and the plain one give them the same bytes.
func TestLoopedPiecesAreTheTracks(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	music := k.music("m.flac", 10)
	s := k.show("640x480", "draft")
	for range 4 {
		s.slide(pic, 4, "", 1) // 16 s: the 10 s of music and 6 s of it again
	}
	s.withMusic(music, 10, "loop", nil)
	looped := s.plan().Audio
	if !looped.Loop {
		t.Fatal("the music does not loop")
	}
	if _, err := k.eng.PrepareAudio(context.Background(), looped, music, 1); err != nil {
		t.Fatal(err)
	}
	track := render.TrackPieces(s.in.Spec.Audio[0], simvid.MusicSpec{}, s.in.Audio[looped.Asset], s.in.FFmpegVersion)
	made := map[string]bool{}
	for _, p := range track.Pieces {
		made[p.Key] = true
	}
	want := map[string][]byte{}
	for _, p := range looped.Pieces {
		if made[p.Key] {
			b, err := os.ReadFile(k.eng.AudioPiecePath(p.Key))
			if err != nil {
				t.Fatal(err)
			}
			want[p.Key] = b
			_ = os.Remove(k.eng.AudioPiecePath(p.Key))
		}
	}
	if len(want) != 2 {
		t.Fatalf("%d of the looping show's %d pieces are among those made when the music became ready, want the 2 before 10 s",
			len(want), len(looped.Pieces))
	}
	if err := k.eng.PrepareAudioPieces(context.Background(), track, music, 1); err != nil {
		t.Fatal(err)
	}
	for key, b := range want {
		if got, _ := os.ReadFile(k.eng.AudioPiecePath(key)); !bytes.Equal(got, b) {
			t.Errorf("piece %s: %d bytes from the plain graph, %d from the looping one, not the same", key[:8], len(got), len(b))
		}
	}
}

// musicShow is the input of a 640x480 show of n two-second slides of small pictures with the
// music info as its track (asset "aud_m"), clip's start and end and music's settings.
func musicShow(n int, info render.Audio, clip simvid.AudioClip, music simvid.MusicSpec) render.Input {
	in := render.Input{Images: map[string]render.Image{}, Audio: map[string]render.Audio{"aud_m": info}, FFmpegVersion: "test"}
	in.Spec.Output = simvid.Output{Resolution: "640x480", FPS: 30}
	for i := range n {
		id := fmt.Sprintf("img_%d", i)
		in.Images[id] = render.Image{SHA256: id, Width: 64, Height: 36, Orientation: 1}
		in.Spec.Slides = append(in.Spec.Slides, simvid.Slide{Asset: id, Duration: 2})
	}
	clip.Asset = "aud_m"
	in.Spec.Audio = []simvid.AudioClip{clip}
	in.Spec.Music = music
	in.Spec.Normalize()
	return in
}
