// Package service holds what simvid does with projects, pictures, music and renders, once,
// for every surface that asks: the JSON API, the origin-compatible routes and the admin.
package service

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// Queue is the part of the job queue the service uses.
type Queue interface {
	EnqueueRender(ctx context.Context, renderID string) error
	EnqueuePrepareAudio(ctx context.Context, assetID string) error
	EnqueueFetchImage(ctx context.Context, assetID string) error
	// EnqueueMixMusic queues the preparation of a project's music mix for its current
	// settings; changes close together share one job.
	EnqueueMixMusic(ctx context.Context, projectID string) error
	Cancel(ctx context.Context, renderID string) error
	// EnqueueWebhook queues the call of a finished render's webhook, once per render.
	EnqueueWebhook(ctx context.Context, renderID string) error
}

// Limits bound what one project and one client may hold.
type Limits struct {
	ImagesPerProject  int
	ProjectBytes      int64
	UnfinishedRenders int    // per client
	MinFreeDisk       uint64 // below it, uploads are refused with 507
	FilesPerRequest   int    // pictures one AddImages takes; the rest are refused unopened (0: no cap)
	Spec              simvid.Limits
}

// Deps are what a Service works over. Store, Files, Queue and Log are required.
type Deps struct {
	Store       store.Store
	Files       *media.Files
	Intake      *media.Intake
	Queue       Queue
	Transitions []string     // what this machine's ffmpeg offers
	Links       *fetch.Links // music and picture links; nil: refused
	Limits      Limits
	ProjectTTL  time.Duration
	// StillPath, when set, is where the render cache keeps a still (engine.StillPath); with
	// FFmpegVersion (part of cache keys) it lets intake prepare stills at upload time.
	StillPath     func(key string) string
	FFmpegVersion string
	Notify        func(ctx context.Context, r *simvid.Render) // tells open streams of a change; may be nil
	NotifyGone    func(ctx context.Context, projectID string) // tells serve instances a project is deleted; may be nil
	// ClientLock holds a client's lock across every serve instance (a Redis lock), so that
	// the unfinished-render count and the insert that follows it are one step; nil: a lock
	// of this process only.
	ClientLock func(ctx context.Context, client string) (unlock func(), err error)
	Log        *zap.Logger
	Downloads  Downloads // how videos leave an object store; the zero value redirects
}

// Service is simvid's application logic, and the only way into it: handlers parse, call one
// of its methods, and answer. Its dependencies are its own, so no caller reaches past it to
// the database or the files.
type Service struct {
	store         store.Store
	files         *media.Files
	intake        *media.Intake
	queue         Queue
	transitions   []string
	links         *fetch.Links
	limits        Limits
	projectTTL    time.Duration
	stillPath     func(key string) string
	ffmpegVersion string
	notifyFn      func(ctx context.Context, r *simvid.Render)
	notifyGone    func(ctx context.Context, projectID string)
	clientLock    func(ctx context.Context, client string) (unlock func(), err error)
	log           *zap.Logger
	downloads     Downloads

	localMu sync.Mutex // clientLock's stand-in
}

// New returns the Service over d.
func New(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	return &Service{
		store: d.Store, files: d.Files, intake: d.Intake, queue: d.Queue, transitions: d.Transitions,
		links: d.Links, limits: d.Limits, projectTTL: d.ProjectTTL, stillPath: d.StillPath,
		ffmpegVersion: d.FFmpegVersion, notifyFn: d.Notify, notifyGone: d.NotifyGone,
		clientLock: d.ClientLock, log: log, downloads: d.Downloads,
	}
}

// Limits returns the limits the service enforces (the API describes them to clients).
func (s *Service) Limits() Limits { return s.limits }

// Transitions returns the transitions this machine's ffmpeg offers.
func (s *Service) Transitions() []string { return s.transitions }

func (s *Service) notify(ctx context.Context, r *simvid.Render) {
	if s.notifyFn != nil {
		s.notifyFn(ctx, r)
	}
}

// ExpiresAt returns when an anonymous project expires under the retention in effect (the
// admin's setting, else the configured one), or the zero time when it never does.
func (s *Service) ExpiresAt(ctx context.Context, p *simvid.Project) time.Time {
	return s.Retention(ctx).ExpiresAt(p)
}

func checkID(prefix, id, what string) error {
	if !simvid.ValidID(prefix, id) {
		return simvid.Errorf(simvid.ENotFound, "%s not found", what)
	}
	return nil
}

// checkDisk refuses new files when the data directory's disk is nearly full.
func (s *Service) checkDisk() error {
	free, err := s.files.Free()
	if err != nil {
		return nil // cannot tell: let the write itself fail if it must
	}
	if free < s.limits.MinFreeDisk {
		return simvid.Errorf(simvid.EStorageFull, "the server is out of storage space; please try again later")
	}
	return nil
}

// premix queues the making of the music mix a render of p would need, after a change that
// may alter it (the music or its settings, the slides or their durations, the output), so
// that the render finds it in the cache as it finds the stills prepared at upload. Without
// music or slides there is nothing to mix. A failure to queue only costs the render the
// encode, so it is logged and the change stands.
func (s *Service) premix(ctx context.Context, p *simvid.Project) {
	if p == nil || len(p.Spec.Audio) == 0 || len(p.Spec.Slides) == 0 {
		return
	}
	if err := s.queue.EnqueueMixMusic(ctx, p.ID); err != nil {
		s.log.Info("music mix not queued; the render will prepare it", zap.String("project_id", p.ID), zap.Error(err))
	}
}

// premixed wraps an update of a project: s.premixed(ctx)(s.store.UpdateProject(...)) passes
// its result on and, when it succeeded, premixes the project.
func (s *Service) premixed(ctx context.Context) func(*simvid.Project, error) (*simvid.Project, error) {
	return func(p *simvid.Project, err error) (*simvid.Project, error) {
		if err == nil {
			s.premix(ctx, p)
		}
		return p, err
	}
}
