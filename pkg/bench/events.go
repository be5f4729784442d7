package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ReadEvents opens the server-sent event stream at url and calls data with each message's
// data until it returns true or the stream ends. It returns the response's status (0 when
// there was none) and how many messages it read; a stream that ends is not an error.
func ReadEvents(ctx context.Context, hc *http.Client, url string, data func([]byte) (stop bool, err error)) (status, n int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, 0, fmt.Errorf("bench: events at %s: status %d", url, res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		d, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		n++
		stop, err := data([]byte(strings.TrimSpace(d)))
		if err != nil || stop {
			return res.StatusCode, n, err
		}
	}
	return res.StatusCode, n, sc.Err()
}

// FollowRender follows the render's event stream, as the web page does, until it finishes,
// and falls back to polling every interval when the stream ends first. It fails unless the
// render is done. Unlike polling alone, it learns of the end the moment it comes.
func (c *Client) FollowRender(ctx context.Context, id string, every time.Duration) (*Render, error) {
	var last Render
	_, _, err := ReadEvents(ctx, c.HTTP, c.Base+"/api/v1/renders/"+id+"/events", func(b []byte) (bool, error) {
		if err := json.Unmarshal(b, &last); err != nil {
			return false, fmt.Errorf("bench: events of %s: %w", id, err)
		}
		return last.Finished(), nil
	})
	if err == nil && last.Finished() && last.State == "done" {
		return &last, nil
	}
	return c.WaitRender(ctx, id, every)
}
