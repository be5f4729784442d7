package ffmpeg

import (
	"os"
	"sort"
	"sync"
	"time"
)

// Kind says what an ffmpeg or ffprobe run is for; its time is counted under it (Usage), so
// that a render's seconds can be told apart: decoding pictures, x264, music, joining.
type Kind string

// The kinds simvid's own runs use. A run given none is KindOther (ffmpeg) or KindProbe
// (ffprobe).
const (
	KindOther       Kind = "other"
	KindProbe       Kind = "probe"        // ffprobe: a file's facts
	KindCaps        Kind = "caps"         // ffmpeg's version, filters and encoders, once at start
	KindThumbnail   Kind = "thumbnail"    // intake: a picture's thumbnail alone
	KindThumbStill  Kind = "thumb_still"  // intake: thumbnail and render still in one decode
	KindStill       Kind = "still"        // render: a picture decoded into its cached still
	KindKeyframes   Kind = "keyframes"    // render: x264 end frames of a hold or a fade
	KindSegment     Kind = "segment"      // render: a segment encoded frame by frame
	KindMusicDecode Kind = "music_decode" // intake: music decoded to FLAC and peaks
	KindMusicPieces Kind = "music_pieces" // render: the music's AAC pieces
	KindJoin        Kind = "join"         // render: segments and music joined by ffmpeg
	KindPoster      Kind = "poster"       // render: the poster JPEG
	KindClipIntake  Kind = "clip_intake"  // intake: a clip's decode check, poster and filmstrip
	KindClip        Kind = "clip"         // render: a clip's segment, decoded and encoded
)

// KindUsage is what the runs of one kind took: CPU is the processes' own user plus system
// time (their threads and any children they waited for), Wall from start to exit.
type KindUsage struct {
	Runs int64
	CPU  time.Duration
	Wall time.Duration
}

// Usage sums the runs of a Runner and of every copy made from it, by kind; safe for
// concurrent use.
type Usage struct {
	mu sync.Mutex
	by map[Kind]KindUsage
}

// NewUsage returns an empty Usage.
func NewUsage() *Usage { return &Usage{by: map[Kind]KindUsage{}} }

// Add counts one run that ended with state (nil when it never started: nothing is counted).
func (u *Usage) Add(kind Kind, state *os.ProcessState, wall time.Duration) {
	if u == nil || state == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	k := u.by[kind]
	k.Runs++
	k.CPU += state.UserTime() + state.SystemTime()
	k.Wall += wall
	u.by[kind] = k
}

// KindTotal is one kind's line of a Snapshot.
type KindTotal struct {
	Kind Kind
	KindUsage
}

// Snapshot returns the totals so far, by kind name.
func (u *Usage) Snapshot() []KindTotal {
	if u == nil {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]KindTotal, 0, len(u.by))
	for k, v := range u.by {
		out = append(out, KindTotal{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// As returns a copy of r whose runs are counted under kind, in the same Usage.
func (r *Runner) As(kind Kind) *Runner {
	c := *r
	c.kind = kind
	return &c
}

// Usage returns the totals of r's runs and of its copies' (As, WithNice).
func (r *Runner) Usage() *Usage { return r.usage }

// kindOr is r's kind, or def when it has none.
func (r *Runner) kindOr(def Kind) Kind {
	if r.kind == "" {
		return def
	}
	return r.kind
}
