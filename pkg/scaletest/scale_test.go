//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/testutil"
)

// envInt reads a positive count from the environment, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 2000 {
		t.Fatalf("%s=%q: want a count from 1 to 2000", name, v)
	}
	return n
}

// TestScale runs the scaled topology under users and pollers and prints the figures. It
// fails on any error, any wrong video or a rate limit that does not hold; it asserts no time.
func TestScale(t *testing.T) {
	users := envInt(t, "SIMVID_SCALE_USERS", 20)
	pollers := envInt(t, "SIMVID_SCALE_POLLERS", 200)
	limit := time.Duration(envInt(t, "SIMVID_SCALE_MINUTES", 40)) * time.Minute
	sh := shapeFromEnv(t)
	top := startTopology(t, sh)
	t.Logf("topology (%s): nginx %s -> serves %v; %d workers; logs in %s", sh.Name, top.Front, top.Direct, sh.Works, top.Logs)
	if sh.Cluster {
		t.Logf("cluster: redis %s, bucket %s, data directories %v", top.RedisURL, top.S3.URL(sh.storagePrefix), top.DataDirs)
	}
	var serveRSS, workRSS []*bench.PeakSampler
	var serveSelf []*bench.SelfPeak
	for _, p := range top.Serves {
		serveRSS = append(serveRSS, bench.NewPeakPSSSampler(p.Pid(), 100*time.Millisecond))
		serveSelf = append(serveSelf, bench.NewSelfPeak(p.Pid(), 100*time.Millisecond))
	}
	for _, p := range top.Workers {
		workRSS = append(workRSS, bench.NewPeakPSSSampler(p.Pid(), 100*time.Millisecond))
	}

	checkRateLimits(t, top)

	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	dir := t.TempDir()
	music, err := os.ReadFile(testutil.Tone(t, dir, "song.mp3", 12))
	if err != nil {
		t.Fatal(err)
	}
	ff := ffmpeg.New("", "", zap.NewNop())
	rec := bench.NewRecorder()
	results := make([]userResult, users)
	t.Logf("load: %d users, each from its own address, make a 10-picture 720p video with fades and music", users)
	began := time.Now()
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 2 * time.Second / time.Duration(users)) // arrive over 2 s
			results[i] = runUser(ctx, newUser(userIP(i), top.Front, rec), i, music, dir, ff)
		}()
	}
	wg.Wait()
	usersTook := time.Since(began)

	var projects []string
	for _, r := range results {
		if r.Err == nil && len(projects) < 2*len(top.Workers) {
			projects = append(projects, r.Project)
		}
	}
	t.Logf("load: %d pollers stream and poll %d fresh renders", pollers, len(projects))
	prec := bench.NewRecorder()
	polls := runPollers(ctx, top.Front, prec, projects, pollers, top.RedisURL, dir, ff)

	var mem memPeaks
	for i, s := range serveRSS {
		mem.serveRSS = max(mem.serveRSS, s.Stop())
		mem.servePSS = max(mem.servePSS, s.PeakPSS())
		mem.serveSelf = max(mem.serveSelf, serveSelf[i].Stop())
	}
	for _, s := range workRSS {
		mem.workRSS = max(mem.workRSS, s.Stop())
		mem.workPSS = max(mem.workPSS, s.PeakPSS())
	}
	var store *storeBytes
	if sh.Cluster {
		sb, err := readStoreBytes(t, top)
		if err != nil {
			t.Error(err)
		} else {
			store = &sb
		}
	}
	stopStart := time.Now()
	for _, p := range append(slices.Clone(top.Serves), top.Workers...) {
		if err := p.Stop(30 * time.Second); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	stopTook := time.Since(stopStart)

	var dirLines []string
	if sh.Cluster {
		dirLines = checkDataDirs(t, top)
	}
	var b strings.Builder
	report(&b, sh, results, usersTook, rec, polls, prec, mem, stopTook, users, pollers, store, dirLines)
	fmt.Print(b.String())
	for _, r := range results {
		if r.Err != nil {
			t.Error(r.Err)
		}
	}
	for _, err := range polls.Errors {
		t.Error(err)
	}
	for name, r := range map[string]*bench.Recorder{"users": rec, "pollers": prec} {
		for _, s := range r.Summary() {
			if f := s.Failures(); f > 0 {
				t.Errorf("%s: %s: %d failed requests (%v %s)", name, s.Route, f, s.Statuses, s.LastErr)
			}
		}
	}
	if polls.Correct != len(polls.Renders) || len(polls.Renders) == 0 {
		t.Errorf("poller phase: %d of %d renders correct", polls.Correct, len(polls.Renders))
	}
}
