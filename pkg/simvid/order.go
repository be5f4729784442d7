package simvid

import "slices"

// The orders a spec's slides can play in (Spec.Order); "" is OrderUpload.
const (
	OrderUpload = "upload" // as listed
	OrderName   = "name"   // by the picture's file name, in natural order
	OrderTaken  = "taken"  // by when the picture was taken (Asset.TakenAt), undated ones last
)

// ChaptersDay inserts a title slide naming the day before each day's first picture.
const ChaptersDay = "day"

var (
	Orders       = []string{OrderUpload, OrderName, OrderTaken}
	ChapterKinds = []string{ChaptersDay}
)

func (s *Spec) validateOrder() error {
	if s.Order != "" && !slices.Contains(Orders, s.Order) {
		return Errorf(EUnprocessable, "order must be upload, name or taken (got %q)", s.Order)
	}
	if s.Chapters != "" && !slices.Contains(ChapterKinds, s.Chapters) {
		return Errorf(EUnprocessable, `chapters must be "day" or empty (got %q)`, s.Chapters)
	}
	return nil
}
