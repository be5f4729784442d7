package media

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/beat"
	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// beatOutput is the ffmpeg output that feeds the beat tracker, added to a decode of music:
// mono 16-bit samples at the tracker's rate.
func beatOutput(path string) []string {
	return []string{"-map", "0:a:0", "-vn", "-ac", "1", "-ar", fmt.Sprint(beat.Rate),
		"-c:a", "pcm_s16le", "-f", "s16le", path}
}

// trackFile finds the beats in a file beatOutput wrote. Times are rounded to the millisecond:
// they travel as JSON, and a frame is 16 ms or more.
// The file is read a chunk at a time (beat.TrackS16LE): read whole, with its samples as
// floats, 15 minutes of music took this process from 46 to 146 MB (issue 20, the long show).
func trackFile(path string) (*simvid.Beats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media: beats: %w", err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("media: beats: %w", err)
	}
	r, err := beat.TrackS16LE(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("media: beats: %w", err)
	}
	// The spectrogram (26 MB for 15 minutes) goes back to the system now, not minutes later
	// by the runtime's scavenger: the music's piece encoders start next, beside this process.
	debug.FreeOSMemory()
	b := &simvid.Beats{Tempo: r.Tempo, Times: make([]float64, len(r.Times))}
	for i, t := range r.Times {
		b.Times[i] = math.Round(t*1000) / 1000
	}
	return b, nil
}

// FindBeats finds the beats of music prepared before simvid tracked beats at intake, from its
// working copy: a decode and the tracker, a second or two for a song.
func (in *Intake) FindBeats(ctx context.Context, a *simvid.Asset) (*simvid.Beats, error) {
	work, err := in.st.AudioWork(a.ProjectID, a.ID)
	if err != nil {
		return nil, err
	}
	if work, err = in.st.Local(ctx, work); err != nil {
		return nil, err
	}
	pcm, err := in.st.tempPath("beats-*.pcm")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(pcm) }()
	input, err := ffargs.Input("flac", work)
	if err != nil {
		return nil, err
	}
	if err := in.ff.As(ffmpeg.KindMusicDecode).Run(ctx, append(input, beatOutput(pcm)...), nil); err != nil {
		return nil, in.toolError(ctx, err, "the beats of the music could not be found")
	}
	b, err := trackFile(pcm)
	if err != nil {
		return nil, err
	}
	in.log.Info("beats found", zap.String("project_id", a.ProjectID), zap.String("asset_id", a.ID),
		zap.Float64("tempo", b.Tempo), zap.Int("beats", len(b.Times)))
	return b, nil
}
