package service

import (
	"context"
	"io"
	"slices"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// Upload is one received file waiting for intake.
type Upload struct {
	Name string // the user's file name: for messages only
	Open func() (io.ReadCloser, error)
}

// ImageResult is what became of one file of AddImages: a slide, or the reason it was refused.
type ImageResult struct {
	Name  string // the file's name, cleaned for messages (media.DisplayName)
	Slide *simvid.Slide
	Asset *simvid.Asset
	Err   error
}

// AddImages takes uploaded pictures into a project as new last slides, in the order given.
// Intake (probe, thumbnail) runs for several files at once; a refused file leaves the project
// as it was and the others carry on. The error is for what stops the whole request: an
// unknown project, a full disk, an unavailable database.
func (s *Service) AddImages(ctx context.Context, projectID string, files []Upload) ([]ImageResult, error) {
	return s.AddImagesFrom(ctx, projectID, func(take func(Upload)) error {
		for _, f := range files {
			take(f)
		}
		return nil
	})
}

// AddImagesFrom is AddImages for files that arrive one after another (a request body read
// as it streams): files hands each to take as soon as it is received, and the file's intake
// starts then, while the next ones still arrive, rather than once the last has. An error of
// files (the body broken off) stops the whole request like AddImages' error: the files taken
// in so far are removed again.
func (s *Service) AddImagesFrom(ctx context.Context, projectID string, files func(take func(Upload)) error) ([]ImageResult, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if err := s.checkDisk(); err != nil {
		return nil, err
	}
	var results []*ImageResult
	if err := s.checkProjectRoom(ctx, p, 0); err != nil {
		ferr := files(func(f Upload) {
			results = append(results, &ImageResult{Name: media.DisplayName(f.Name), Err: err})
		})
		if ferr != nil {
			return nil, ferr
		}
		return values(results), nil
	}
	// Room is checked before each decode, not only at commit: a file the project has no
	// room for, or past the files a request may carry, is refused at once, unopened.
	room := newRoom(s.limits.ImagesPerProject, len(p.Spec.Slides))
	// No limit of goroutines: intake bounds its decodes itself (media.Limits.Decodes), and
	// taking a file must not wait for the decodes of those before it, or the next file would
	// not be read meanwhile. A request carries at most FilesPerRequest files.
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ictx)
	ferr := files(func(f Upload) {
		r := &ImageResult{Name: media.DisplayName(f.Name)}
		results = append(results, r)
		if n := s.limits.FilesPerRequest; (n > 0 && len(results) > n) || f.Open == nil {
			r.Err = simvid.Errorf(simvid.ETooLarge, "%s: one request may carry at most %d pictures; send the rest in another",
				r.Name, s.limits.FilesPerRequest)
			return
		}
		if !room.take() {
			r.Err = simvid.Errorf(simvid.ETooLarge, "%s: a project may hold at most %d pictures", r.Name, s.limits.ImagesPerProject)
			return
		}
		g.Go(func() error {
			ok := false
			defer func() { room.done(ok) }()
			rc, err := f.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			r.Asset, r.Err = s.intake.ImageWithStill(gctx, projectID, f.Name, rc, s.stillFor(p.Spec))
			ok = r.Err == nil
			return fatal(r.Err)
		})
	})
	if ferr != nil {
		cancel() // the request is refused whole: the decodes under way are of no use
	}
	if err := g.Wait(); err != nil || ferr != nil {
		for _, r := range results {
			if r.Asset != nil {
				_ = s.files.DeleteAsset(projectID, r.Asset.ID)
			}
		}
		if ferr != nil {
			return nil, ferr
		}
		return nil, err
	}
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		r.Slide, r.Err = s.commitImage(ctx, p, r.Asset)
		if err := fatal(r.Err); err != nil {
			return nil, err
		}
	}
	s.premix(ctx, p) // p is the project after the last picture committed
	return values(results), nil
}

// values copies the results out of their pointers (filled by intake's goroutines).
func values(rs []*ImageResult) []ImageResult {
	out := make([]ImageResult, len(rs))
	for i, r := range rs {
		out[i] = *r
	}
	return out
}

// fatal returns err when it must stop a whole upload rather than refuse one file.
func fatal(err error) error {
	switch simvid.ErrorCode(err) {
	case simvid.EInternal, simvid.EUnavailable, simvid.EStorageFull:
		if err != nil {
			return err
		}
	}
	return nil
}

// commitImage records a picture that passed intake and appends its slide; on refusal (the
// project is full) its files go again.
func (s *Service) commitImage(ctx context.Context, p *simvid.Project, a *simvid.Asset) (*simvid.Slide, error) {
	undo := func() { _ = s.files.DeleteAsset(p.ID, a.ID) }
	if err := s.checkProjectRoom(ctx, p, a.Size); err != nil {
		undo()
		return nil, err
	}
	if err := s.store.CreateAsset(ctx, a); err != nil {
		undo()
		return nil, err
	}
	slide := simvid.Slide{ID: simvid.NewID(simvid.PrefixSlide), Asset: a.ID}
	np, err := s.store.UpdateProject(ctx, p.ID, func(p *simvid.Project) error {
		if s.limits.ImagesPerProject > 0 && len(p.Spec.Slides) >= s.limits.ImagesPerProject {
			return simvid.Errorf(simvid.ETooLarge, "%s: a project may hold at most %d pictures", a.OriginalName, s.limits.ImagesPerProject)
		}
		p.Spec.Slides = append(p.Spec.Slides, slide)
		return nil
	})
	if err != nil {
		_ = s.store.DeleteAsset(ctx, a.ID)
		undo()
		return nil, err
	}
	*p = *np
	return &slide, nil
}

// checkProjectRoom refuses a file that would take the project over its picture count or its
// byte budget.
func (s *Service) checkProjectRoom(ctx context.Context, p *simvid.Project, adding int64) error {
	if s.limits.ImagesPerProject > 0 && len(p.Spec.Slides) >= s.limits.ImagesPerProject {
		return simvid.Errorf(simvid.ETooLarge, "a project may hold at most %d pictures", s.limits.ImagesPerProject)
	}
	if s.limits.ProjectBytes <= 0 || adding == 0 {
		return nil
	}
	assets, err := s.store.ListAssets(ctx, p.ID, "")
	if err != nil {
		return err
	}
	total := adding
	for _, a := range assets {
		total += a.Size
	}
	if total > s.limits.ProjectBytes {
		return simvid.Errorf(simvid.ETooLarge, "the project would hold more than %d MiB of files", s.limits.ProjectBytes>>20)
	}
	return nil
}

// ReorderSlides puts the slides in the given order; order must name every slide once.
func (s *Service) ReorderSlides(ctx context.Context, projectID string, order []string) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	return s.premixed(ctx)(s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		if len(order) != len(p.Spec.Slides) {
			return simvid.Errorf(simvid.EUnprocessable, "order must list each of the %d slides once (got %d)", len(p.Spec.Slides), len(order))
		}
		byID := make(map[string]simvid.Slide, len(p.Spec.Slides))
		for _, sl := range p.Spec.Slides {
			byID[sl.ID] = sl
		}
		next := make([]simvid.Slide, 0, len(order))
		for _, id := range order {
			sl, ok := byID[id]
			if !ok {
				return simvid.Errorf(simvid.EUnprocessable, "order names an unknown or repeated slide")
			}
			delete(byID, id)
			next = append(next, sl)
		}
		p.Spec.Slides = next
		return nil
	}))
}

// DuplicateSlide puts a copy of a slide (same picture, same settings, a new id) right after
// it. The copy counts against the project's picture limit like any other slide.
func (s *Service) DuplicateSlide(ctx context.Context, projectID, slideID string) (*simvid.Project, *simvid.Slide, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, nil, err
	}
	if err := checkID(simvid.PrefixSlide, slideID, "slide"); err != nil {
		return nil, nil, err
	}
	var dup simvid.Slide
	p, err := s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		i := slices.IndexFunc(p.Spec.Slides, func(sl simvid.Slide) bool { return sl.ID == slideID })
		if i < 0 {
			return simvid.Errorf(simvid.ENotFound, "slide not found")
		}
		if s.limits.ImagesPerProject > 0 && len(p.Spec.Slides) >= s.limits.ImagesPerProject {
			return simvid.Errorf(simvid.ETooLarge, "a project may hold at most %d pictures", s.limits.ImagesPerProject)
		}
		dup = p.Spec.Slides[i]
		dup.ID = simvid.NewID(simvid.PrefixSlide)
		dup.Focus = slices.Clone(dup.Focus)
		p.Spec.Slides = slices.Insert(p.Spec.Slides, i+1, dup)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.premix(ctx, p)
	return p, &dup, nil
}

// SlidePatch is a partial change of one slide.
type SlidePatch struct {
	Duration   *float64   `json:"duration" unit:"seconds"`
	Fit        *string    `json:"fit"`
	Caption    *string    `json:"caption"`
	Transition *string    `json:"transition"`
	Motion     *string    `json:"motion"`
	Focus      *[]float64 `json:"focus"`
	Strength   *float64   `json:"motion_strength"`
	// CaptionStyle replaces the slide's caption style ({} goes back to the project default).
	CaptionStyle **simvid.CaptionStyle `json:"caption_style"`
	// A clip's trim (seconds of the clip; out 0 = to its end), speed (0.5..2) and sound.
	In    *float64 `json:"in" unit:"seconds"`
	Out   *float64 `json:"out" unit:"seconds"`
	Speed *float64 `json:"speed"`
	Mute  *bool    `json:"mute"`
}

// DecodeSlidePatch reads a slide patch, refusing unknown fields.
func DecodeSlidePatch(raw []byte) (*SlidePatch, error) {
	var sp SlidePatch
	if err := jsonbody.Decode(raw, &sp, ""); err != nil {
		return nil, simvid.Errorf(simvid.EInvalid, "bad slide settings: %s", err.Error())
	}
	return &sp, nil
}

// UpdateSlide changes one slide's own settings; zero values mean "use the project default".
func (s *Service) UpdateSlide(ctx context.Context, projectID, slideID string, sp *SlidePatch) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	if err := checkID(simvid.PrefixSlide, slideID, "slide"); err != nil {
		return nil, err
	}
	// The clip fields are checked against the slide's asset, looked up before the update
	// (not inside its transaction).
	var clip *simvid.Asset
	if sp.In != nil || sp.Out != nil || sp.Speed != nil || sp.Mute != nil {
		var err error
		if clip, err = s.slideAsset(ctx, projectID, slideID); err != nil {
			return nil, err
		}
	}
	return s.premixed(ctx)(s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		i := slices.IndexFunc(p.Spec.Slides, func(sl simvid.Slide) bool { return sl.ID == slideID })
		if i < 0 {
			return simvid.Errorf(simvid.ENotFound, "slide not found")
		}
		sl := &p.Spec.Slides[i]
		set(&sl.Duration, sp.Duration)
		set(&sl.Fit, sp.Fit)
		set(&sl.Caption, sp.Caption)
		set(&sl.Transition, sp.Transition)
		set(&sl.Motion, sp.Motion)
		set(&sl.Focus, sp.Focus)
		set(&sl.Strength, sp.Strength)
		set(&sl.CaptionStyle, sp.CaptionStyle)
		set(&sl.In, sp.In)
		set(&sl.Out, sp.Out)
		set(&sl.Speed, sp.Speed)
		set(&sl.Mute, sp.Mute)
		if err := p.Spec.Validate(s.transitions, s.limits.Spec); err != nil {
			return err
		}
		if clip == nil { // the patch leaves the clip fields as they were
			return nil
		}
		if clip.ID != sl.Asset {
			return simvid.Errorf(simvid.EConflict, "the slide changed meanwhile; please try again")
		}
		return simvid.CheckClipSlide("slide", sl, clip)
	}))
}

// slideAsset returns the asset slide slideID of project projectID shows.
func (s *Service) slideAsset(ctx context.Context, projectID, slideID string) (*simvid.Asset, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(p.Spec.Slides, func(sl simvid.Slide) bool { return sl.ID == slideID })
	if i < 0 {
		return nil, simvid.Errorf(simvid.ENotFound, "slide not found")
	}
	return s.store.GetAsset(ctx, p.Spec.Slides[i].Asset)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// RemoveSlide takes a slide out of the project; its picture goes too when no other slide
// shows it.
func (s *Service) RemoveSlide(ctx context.Context, projectID, slideID string) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixSlide, slideID, "slide"); err != nil {
		return nil, err
	}
	var gone string
	p, err := s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		i := slices.IndexFunc(p.Spec.Slides, func(sl simvid.Slide) bool { return sl.ID == slideID })
		if i < 0 {
			return simvid.Errorf(simvid.ENotFound, "slide not found")
		}
		gone = p.Spec.Slides[i].Asset
		p.Spec.Slides = slices.Delete(p.Spec.Slides, i, i+1)
		if slices.ContainsFunc(p.Spec.Slides, func(sl simvid.Slide) bool { return sl.Asset == gone }) {
			gone = ""
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if gone != "" {
		// Renders already queued hold the asset id in their snapshot; files stay until the
		// project goes, rows and files of a picture no render can need go now.
		s.forgetAsset(ctx, projectID, gone)
	}
	s.premix(ctx, p)
	return p, nil
}

// forgetAsset removes an asset's row and files unless an unfinished render still needs it.
func (s *Service) forgetAsset(ctx context.Context, projectID, assetID string) {
	renders, err := s.store.ListRenders(ctx, simvid.RenderFilter{ProjectID: projectID, States: simvid.UnfinishedStates()})
	if err != nil {
		return
	}
	for _, r := range renders {
		if r.Spec.UsesAsset(assetID) {
			return
		}
	}
	a, err := s.store.GetAsset(ctx, assetID)
	if err != nil {
		return
	}
	if err := s.store.DeleteAsset(ctx, assetID); err != nil && !simvid.IsCode(err, simvid.ENotFound) {
		s.log.Warn("remove asset row", zap.String("asset_id", assetID), zap.Error(err))
	}
	if err := s.files.DeleteAsset(a.ProjectID, assetID); err != nil {
		s.log.Warn("remove asset files", zap.String("asset_id", assetID), zap.Error(err))
	}
}
