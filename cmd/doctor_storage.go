package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/objstore"
)

// checkStorage writes, reads back and deletes a probe object in storage.url's bucket and
// says in words what is wrong: unreachable endpoint, bad credentials, no such bucket, no
// permission.
func (d *doctor) checkStorage(ctx context.Context, cfg *config.Config) {
	if cfg.Storage.URL == "" {
		d.ok("storage", "the data directory (storage.url is empty): every process must share it")
		return
	}
	sc, err := objstore.Parse(cfg.Storage.URL)
	if err != nil {
		d.fail("storage", err.Error())
		return
	}
	b, err := objstore.Open(ctx, sc, zap.NewNop())
	if err != nil {
		d.fail("storage", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := b.Probe(ctx); err != nil {
		var pe *objstore.ProbeError
		if errors.As(err, &pe) {
			who := ""
			if pe.AccessKey != "" {
				who = fmt.Sprintf(" (access key %q)", pe.AccessKey)
			}
			d.fail("storage", fmt.Sprintf("%s: %s%s; could not %s a probe object: %v", sc.String(), pe.Reason, who, pe.Step, pe.Err))
			return
		}
		d.fail("storage", fmt.Sprintf("%s: %v", sc.String(), err))
		return
	}
	d.ok("storage", sc.String()+": wrote, read back and deleted a probe object")
	if cfg.Storage.Serve == config.ServeStream {
		d.ok("storage", "outputs are streamed through serve (storage.serve: stream)")
	} else {
		d.ok("storage", fmt.Sprintf("outputs are served by redirect to presigned URLs valid %s (clients must reach the endpoint)", cfg.Storage.PresignTTL))
	}
}
