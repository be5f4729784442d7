//go:build bench

package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"
)

// changedSlide is the slide whose picture the one-picture edit replaces: a PNG in the middle
// of the show, so that the edit touches one hold and two fades.
const changedSlide = 4

// replacePicture puts a mirrored copy of slide i's picture (other content, other hash) in
// its place, as a person would: upload it, delete the old slide, move the new one into place.
func replacePicture(ctx context.Context, c *Client, projectID string, i int, pic, work string) error {
	changed := filepath.Join(work, "changed"+filepath.Ext(pic))
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-i", pic, "-vf", "hflip",
		"-frames:v", "1", changed).CombinedOutput(); err != nil {
		return fmt.Errorf("mirror %s: %v %s", pic, err, out)
	}
	up, err := c.UploadImages(ctx, projectID, changed)
	if err != nil {
		return err
	}
	slides := up.Project.Slides
	if len(slides) < i+2 || len(up.Results) != 1 || up.Results[0].Slide == nil {
		return fmt.Errorf("upload of the changed picture: %d slides, results %+v", len(slides), up.Results)
	}
	added := up.Results[0].Slide.ID
	p, err := c.DeleteSlide(ctx, projectID, slides[i].ID)
	if err != nil {
		return err
	}
	var order []string
	for _, s := range p.Slides {
		if s.ID != added {
			order = append(order, s.ID)
		}
	}
	order = append(order[:i], append([]string{added}, order[i:]...)...)
	_, err = c.OrderSlides(ctx, projectID, order)
	return err
}

// editRun applies an edit to the project, then renders and downloads it. It returns the
// seconds of the edit and of the render (start to downloaded file).
func editRun(ctx context.Context, c *Client, projectID, dst string, edit func() error) (editSec, renderSec float64, renderID string, err error) {
	start := time.Now()
	if err := edit(); err != nil {
		return 0, 0, "", err
	}
	editSec = time.Since(start).Seconds()
	start = time.Now()
	renderID, err = renderAndDownload(ctx, c, projectID, dst)
	return editSec, time.Since(start).Seconds(), renderID, err
}
