package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// PageParallel is how many uploads the page keeps in flight (web/static/js/uploads.js).
const PageParallel = 3

// UploadAsPage uploads the pictures the way the page does (web/static/js/uploads.js): one
// file per request, parallel requests in flight, the next file started as one ends. The
// server appends slides in arrival order, so once every upload is done the page puts this
// batch's slides back in the order the files were added (PUT /slides, uploads.js fillSlots);
// so does this. It returns the project as it is then.
func (c *Client) UploadAsPage(ctx context.Context, id string, paths []string, parallel int) (*Project, error) {
	ids := make([]string, len(paths))
	next := make(chan int)
	errs := make(chan error, len(paths))
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := c.UploadImages(ctx, id, paths[i])
				if err == nil && (len(r.Results) != 1 || r.Results[0].Slide == nil) {
					err = fmt.Errorf("bench: upload of %s answered no slide", paths[i])
				}
				if err != nil {
					errs <- err
					continue
				}
				ids[i] = r.Results[0].Slide.ID
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	p, err := c.GetProject(ctx, id)
	if err != nil {
		return nil, err
	}
	have := make([]string, len(p.Slides))
	for i, s := range p.Slides {
		have[i] = s.ID
	}
	order := fillSlots(have, ids)
	if len(ids) < 2 || slices.Equal(order, have) {
		return p, nil
	}
	return c.OrderSlides(ctx, id, order)
}

// fillSlots is uploads.js fillSlots: the ids of batch, in batch order, put into the places
// those ids hold in ids; ids of batch not in ids are skipped.
func fillSlots(ids, batch []string) []string {
	present := make(map[string]bool, len(ids))
	for _, id := range ids {
		present[id] = true
	}
	var wanted []string
	inBatch := map[string]bool{}
	for _, id := range batch {
		if present[id] {
			wanted = append(wanted, id)
			inBatch[id] = true
		}
	}
	out := make([]string, len(ids))
	k := 0
	for i, id := range ids {
		if inBatch[id] {
			out[i] = wanted[k]
			k++
		} else {
			out[i] = id
		}
	}
	return out
}
