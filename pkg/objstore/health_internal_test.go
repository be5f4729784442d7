package objstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// /readyz's bucket check: remembered for a while, failures for less, and it does come back.
func TestHealthRemembersProbes(t *testing.T) {
	s3 := testutil.StartS3(t)
	cfg, err := Parse(s3.URL("h"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = s3.AccessKey, s3.SecretKey
	b, err := Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1_000_000, 0)
	h := NewHealth(b, time.Minute)
	h.now = func() time.Time { return clock }
	ctx := context.Background()
	if err := h.Check(ctx); err != nil {
		t.Fatal(err)
	}
	up, _ := b.Stats()
	s3.Stop()
	if err := h.Check(ctx); err != nil {
		t.Fatalf("a fresh success was not remembered: %v", err)
	}
	if now, _ := b.Stats(); now != up {
		t.Fatal("a remembered check probed again")
	}
	clock = clock.Add(time.Minute)
	err = h.Check(ctx)
	var pe *ProbeError
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Reason, "unreachable endpoint") {
		t.Fatalf("stale check with the store down: %v", err)
	}
	s3.Start()
	if err := h.Check(ctx); err == nil {
		t.Fatal("a fresh failure was not remembered")
	}
	clock = clock.Add(10 * time.Second) // ok/6
	if err := h.Check(ctx); err != nil {
		t.Fatalf("after the store came back: %v", err)
	}
	// A caller that gave up does not poison the result for the others.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	clock = clock.Add(time.Minute)
	if err := h.Check(cancelled); err != nil {
		t.Fatalf("a cancelled caller's check: %v", err)
	}
}
