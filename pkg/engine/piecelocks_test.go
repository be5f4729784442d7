package engine

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// crossedLocks is PieceLocks over a map in which each key already belongs to one process:
// two processes that each claimed half of a track's pieces.
type crossedLocks struct {
	mu    sync.Mutex
	owner map[string]string // key -> process holding it ("" once released)
}

type crossedProcess struct {
	l    *crossedLocks
	name string
}

func (p crossedProcess) Claim(_ context.Context, keys []string) ([]bool, func(), error) {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	held := make([]bool, len(keys))
	var mine []string
	for i, k := range keys {
		if o := p.l.owner[k]; o != "" && o != p.name {
			held[i] = true
			continue
		}
		p.l.owner[k] = p.name
		mine = append(mine, k)
	}
	return held, func() {
		p.l.mu.Lock()
		defer p.l.mu.Unlock()
		for _, k := range mine {
			p.l.owner[k] = ""
		}
	}, nil
}

func (p crossedProcess) Held(_ context.Context, keys []string) ([]bool, error) {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	held := make([]bool, len(keys))
	for i, k := range keys {
		held[i] = p.l.owner[k] != "" && p.l.owner[k] != p.name
	}
	return held, nil
}

// Two processes sharing a cache that each hold claims on half of a track's pieces make their
// own and then take the other's from the cache: neither waits on the other while holding a
// piece it has not made (that would wait for ever, each lease renewed by its waiting
// process), and each piece is encoded once.
func TestCrossedPieceClaimsDoNotDeadlock(t *testing.T) {
	k := newKit(t)
	work := k.music("tone.flac", 20)
	core, logs := observer.New(zap.DebugLevel)
	info := render.Audio{SHA256: "crossed", Duration: 20}
	in := musicShow(8, info, simvid.AudioClip{}, simvid.MusicSpec{})
	track := render.TrackPieces(in.Spec.Audio[0], in.Spec.Music, info, "test")
	if len(track.Pieces) < 2 {
		t.Fatalf("%d pieces: the test shows nothing", len(track.Pieces))
	}
	locks := &crossedLocks{owner: map[string]string{}}
	for i, p := range track.Pieces {
		locks.owner[p.Key] = []string{"a", "b"}[i%2]
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var g errgroup.Group
	for _, name := range []string{"a", "b"} {
		eng := New(ffmpeg.New("", "", zap.NewNop()), filepath.Join(k.dir, "cache"), filepath.Join(k.dir, "tmp"), zap.New(core))
		eng.WithPieceLocks(crossedProcess{locks, name})
		g.Go(func() error { return eng.PrepareAudioPieces(ctx, track, work, 1) })
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("crossed claims: %v", err)
	}
	encoded := 0
	for _, e := range logs.FilterMessage("music pieces encoded").All() {
		encoded += int(e.ContextMap()["encoded"].(int64))
	}
	if encoded != len(track.Pieces) {
		t.Errorf("%d pieces encoded for %d", encoded, len(track.Pieces))
	}
}
