package cmd

import (
	"github.com/spf13/pflag"

	"github.com/simvid/simvid/pkg/simvid"
)

// orderFlags choose the order the pictures play in and the day chapters (issue 22); they
// apply over a spec file's own choice when given.
type orderFlags struct {
	order, chapters string
}

func addOrderFlags(fl *pflag.FlagSet, f *orderFlags) {
	fl.StringVar(&f.order, "order", "", "play order: upload (as given, the default), name (natural file name order) or taken (date taken, from EXIF)")
	fl.StringVar(&f.chapters, "chapters", "", `"day": a title slide naming the day before each day's first picture`)
}

func (f orderFlags) apply(spec *simvid.Spec) {
	if f.order != "" {
		spec.Order = f.order
	}
	if f.chapters != "" {
		spec.Chapters = f.chapters
	}
}
