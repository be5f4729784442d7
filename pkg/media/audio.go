package media

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// audioFormats maps ffprobe's format_name (the truth) to an Asset.Format.
var audioFormats = map[string]string{
	"mp3": "mp3", "aac": "aac", "wav": "wav", "ogg": "ogg", "flac": "flac",
	"mov,mp4,m4a,3gp,3g2,mj2": "m4a", "matroska,webm": "webm",
}

const audioAccepted = "MP3, M4A, AAC, WAV, OGG, Opus, FLAC or WebM"

// Audio takes in music: see the package doc. The asset comes back in state processing; the
// audio queue runs PrepareAudio. On any error nothing is left on disk.
func (in *Intake) Audio(ctx context.Context, projectID, name string, r io.Reader) (*simvid.Asset, error) {
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: projectID, Kind: simvid.KindAudio,
		State: simvid.AssetProcessing, OriginalName: DisplayName(name)}
	if err := in.AudioInto(ctx, a, r); err != nil {
		return nil, err
	}
	return a, nil
}

// AudioInto takes in music for an asset that already exists (music fetched from a link): the
// same checks as an upload, named by a.OriginalName; it fills size, hash, format, codec and
// duration and puts the original in place. On any error nothing is left on disk.
func (in *Intake) AudioInto(ctx context.Context, a *simvid.Asset, r io.Reader) error {
	name := a.OriginalName
	projectID := a.ProjectID
	origPath, err := in.st.Original(projectID, a.ID)
	if err != nil {
		return err
	}
	up, err := in.receive(name, r)
	if err != nil {
		return err
	}
	defer up.cleanup()
	a.Size, a.SHA256 = up.size, up.sha

	sn := sniff(up.head)
	if id3Size(up.head) > 0 {
		if sn, err = afterID3(up.path, up.head); err != nil {
			return err
		}
	}
	if err := refuseAudio(name, sn); err != nil {
		return err
	}
	p, err := in.probe(ctx, sn.format, up.path, name, "sound")
	if err != nil {
		return err
	}
	format, ok := audioFormats[p.Format.FormatName]
	if !ok {
		return simvid.Errorf(simvid.EUnsupported, "%s is not a sound file this server accepts (%s)", name, audioAccepted)
	}
	if format == "m4a" && sn.kind == sniffAV {
		format = sn.format // m4a, mp4, mov or 3gp: ffprobe names the family only
	}
	st := p.Audio()
	if st == nil {
		return simvid.Errorf(simvid.EUnprocessable, "%s has no sound in it", name)
	}
	d := p.Duration()
	if d <= 0 {
		d = st.Seconds()
	}
	if d <= 0 || math.IsInf(d, 0) || math.IsNaN(d) {
		return simvid.Errorf(simvid.EUnprocessable, "%s could not be read as sound: its length is unknown", name)
	}
	if lim := in.lim.AudioSeconds; lim > 0 && d > lim {
		return simvid.Errorf(simvid.ETooLarge, "%s lasts %s; the limit is %s", name, clock(math.Ceil(d)), clock(lim))
	}
	a.Format, a.Codec, a.Duration = format, st.CodecName, d
	if err := in.place(ctx, [2]string{up.path, origPath}); err != nil {
		return err
	}
	up.placed = true
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now().UTC()
	}
	in.log.Info("audio accepted", zap.String("project_id", projectID), zap.String("asset_id", a.ID),
		zap.String("format", a.Format), zap.String("codec", a.Codec), zap.Float64("duration", d),
		zap.Int64("size", a.Size))
	return nil
}

// refuseAudio says why a sniffed file is not music intake takes, or nil. Containers that may
// hold sound pass; ffprobe decides.
func refuseAudio(name string, sn sniffed) error {
	switch {
	case sn.kind == sniffAudio || sn.kind == sniffAV:
		return nil
	case sn.format == "aiff" || sn.format == "midi":
		return simvid.Errorf(simvid.EUnsupported, "%s is %s, which is not supported; please convert it to MP3", name, sn.what)
	case sn.what != "":
		return simvid.Errorf(simvid.EUnsupported, "%s is not music (it looks like %s)", name, sn.what)
	}
	return simvid.Errorf(simvid.EUnsupported, "%s is not a sound file this server accepts (%s)", name, audioAccepted)
}

// Waveform shape: PeakCount values from a mono decode at peakRate samples a second.
const (
	PeakCount = 200
	peakRate  = 4000
)

// PrepareAudio makes the working copy of music, its first audio stream as 48 kHz stereo
// FLAC, its waveform peaks and its beats (for beat_sync), in one decode; then sets a.Peaks,
// a.Beats and a.State = ready. A retried job overwrites the same file, so it is idempotent.
func (in *Intake) PrepareAudio(ctx context.Context, a *simvid.Asset) error {
	if a.Kind != simvid.KindAudio {
		return fmt.Errorf("media: prepare audio: %s is a %s asset", a.ID, a.Kind)
	}
	src, err := in.st.Original(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	if src, err = in.st.Local(ctx, src); err != nil { // uploaded on another host
		return err
	}
	dst, err := in.st.AudioWork(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	work, err := in.st.tempPath("audio-*.flac")
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = os.Remove(work)
		}
	}()
	pcm, err := in.st.tempPath("peaks-*.pcm")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(pcm) }()
	beatPCM, err := in.st.tempPath("beats-*.pcm")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(beatPCM) }()
	input, err := ffargs.Input(a.Format, src) // as intake read it: its own demuxer only
	if err != nil {
		return simvid.Wrap(simvid.EUnsupported, err, "%s is not a sound file this server accepts (%s)", a.OriginalName, audioAccepted)
	}
	err = in.ff.As(ffmpeg.KindMusicDecode).Run(ctx, append(append(input,
		"-map", "0:a:0", "-vn", "-ac", "2", "-ar", "48000", "-sample_fmt", "s16",
		"-map_metadata", "-1", "-c:a", "flac", "-f", "flac", work,
		"-map", "0:a:0", "-vn", "-ac", "1", "-ar", fmt.Sprint(peakRate),
		"-c:a", "pcm_s16le", "-f", "s16le", pcm,
	), beatOutput(beatPCM)...), nil)
	if err != nil {
		return in.toolError(ctx, err, "%s could not be decoded", a.OriginalName)
	}
	peaks, err := readPeaks(pcm, PeakCount)
	if err != nil {
		return err
	}
	beats, err := trackFile(beatPCM)
	if err != nil {
		return err
	}
	if err := in.st.Commit(ctx, work, dst); err != nil {
		return err
	}
	committed = true
	a.Peaks, a.Beats = peaks, beats
	a.Ready()
	in.log.Info("audio prepared", zap.String("project_id", a.ProjectID), zap.String("asset_id", a.ID))
	return nil
}

// readPeaks streams a mono s16le file and returns n bucket maxima of |sample|, 0..1, rounded
// to 3 decimals (they travel as JSON). Memory stays constant whatever the length.
func readPeaks(path string, n int) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media: peaks: %w", err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("media: peaks: %w", err)
	}
	total := fi.Size() / 2
	maxAbs := make([]int32, n)
	buf := make([]byte, 64<<10)
	var k int64
	for {
		m, err := io.ReadFull(f, buf)
		for i := 0; i+1 < m; i += 2 {
			v := int32(int16(uint16(buf[i]) | uint16(buf[i+1])<<8))
			b := int(k * int64(n) / total)
			maxAbs[b] = max(maxAbs[b], v, -v)
			k++
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("media: peaks: %w", err)
		}
	}
	peaks := make([]float32, n)
	for i, v := range maxAbs {
		peaks[i] = float32(math.Round(math.Min(float64(v)/32767, 1)*1000) / 1000)
	}
	return peaks, nil
}
