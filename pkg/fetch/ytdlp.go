package fetch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/proc"
	"github.com/simvid/simvid/pkg/simvid"
)

// ErrNotInstalled is returned when the yt-dlp binary cannot be found.
var ErrNotInstalled = errors.New("fetch: yt-dlp is not installed")

// YTDLP fetches the sound of a page on an allowed host with yt-dlp, as a separate process:
// no shell, its own process group killed at the deadline, arguments that cannot be read as
// options ("--" before the link), no user configuration, a scratch directory of its own,
// --max-filesize and a length filter, and a size watchdog in case a server lies about sizes.
type YTDLP struct {
	Path       string        // binary, a name looked up in PATH or a path
	Policy     Policy        // Hosts should be set: yt-dlp is only for them
	MaxBytes   int64         // 0: no cap
	MaxSeconds float64       // 0: no cap
	Timeout    time.Duration // whole run; 0: 5 minutes
	Nice       int           // niceness of yt-dlp and what it runs (0: simvid's own; see proc.Start)
	TempDir    string        // parent of the scratch directory ("" = os.TempDir)
	// Probe, when set, measures the downloaded file (ffprobe): a track yt-dlp could not
	// measure beforehand is still held to MaxSeconds.
	Probe  func(ctx context.Context, path string) (seconds float64, err error)
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error) // nil: DNS
	Log    *zap.Logger
}

// Track is a downloaded file in its own scratch directory; Remove deletes both.
type Track struct {
	Path     string
	Title    string  // from the page, display only
	Duration float64 // seconds; 0 when unknown
	Size     int64
	dir      string
}

// Remove deletes the track's scratch directory.
func (t *Track) Remove() {
	if t != nil && t.dir != "" {
		_ = os.RemoveAll(t.dir)
	}
}

// Installed reports ErrNotInstalled when the binary is missing.
func (y *YTDLP) Installed() error {
	if _, err := exec.LookPath(y.path()); err != nil {
		return ErrNotInstalled
	}
	return nil
}

// Version runs `yt-dlp --version`.
func (y *YTDLP) Version(ctx context.Context) (string, error) {
	if err := y.Installed(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := y.command(ctx, os.TempDir(), "--version")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := proc.Run(cmd, y.Nice); err != nil {
		return "", fmt.Errorf("fetch: yt-dlp --version: %w", err)
	}
	return strings.TrimSpace(out.String()), nil
}

func (y *YTDLP) path() string {
	if y.Path == "" {
		return "yt-dlp"
	}
	return y.Path
}

func (y *YTDLP) timeout() time.Duration {
	if y.Timeout <= 0 {
		return 5 * time.Minute
	}
	return y.Timeout
}

// infoSlack is room for the metadata file beside the media in the size watchdog.
const infoSlack = 2 << 20

var (
	errTooBig   = errors.New("fetch: download over the size cap")
	progressRe  = regexp.MustCompile(`^\[download\]\s+([0-9.]+)%`)
	mediaPrefix = "media."
)

// Fetch downloads the best audio of rawURL. progress, when set, gets 0..100 as yt-dlp
// reports it. Errors are coded like Client.Download's; ErrNotInstalled when yt-dlp is absent.
func (y *YTDLP) Fetch(ctx context.Context, rawURL string, progress func(pct float64)) (_ *Track, err error) {
	u, err := y.Policy.Check(rawURL)
	if err != nil {
		return nil, err
	}
	if err := y.Installed(); err != nil {
		return nil, err
	}
	if err := y.checkAddrs(ctx, u.Hostname()); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(y.TempDir, "ytdlp-*")
	if err != nil {
		return nil, fmt.Errorf("fetch: scratch dir: %w", err)
	}
	t := &Track{dir: dir}
	defer func() {
		if err != nil {
			t.Remove()
		}
	}()
	ctx, cancel := context.WithTimeoutCause(ctx, y.timeout(), errDeadline)
	defer cancel()
	wctx, stopWatch := context.WithCancelCause(ctx)
	defer stopWatch(nil)

	args := []string{"--ignore-config", "--no-playlist", "--no-cache-dir", "--no-mtime", "--no-part",
		"--newline", "--no-colors", "--no-warnings", "--socket-timeout", "20", "--retries", "1",
		"--fragment-retries", "1", "--extractor-retries", "1", "-f", "bestaudio/best", "--write-info-json",
		"-P", dir, "-o", mediaPrefix + "%(ext)s"}
	if y.MaxBytes > 0 {
		args = append(args, "--max-filesize", strconv.FormatInt(y.MaxBytes, 10))
	}
	filter := "!is_live"
	if y.MaxSeconds > 0 {
		filter += " & duration <=? " + strconv.FormatInt(int64(math.Ceil(y.MaxSeconds)), 10)
	}
	if (Policy{Hosts: DefaultHosts}).HostAllowed(u.Hostname()) {
		// YouTube's own extractors only: the generic one would follow a page wherever it
		// points (the origin's SSRF).
		args = append(args, "--use-extractors", "default,-generic")
	}
	args = append(args, "--match-filter", filter, "--", u.String())

	cmd := y.command(wctx, dir, args...)
	stderr := proc.Tail{Max: 16 << 10}
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("fetch: yt-dlp stdout: %w", err)
	}
	if err := proc.Start(cmd, y.Nice); err != nil {
		return nil, fmt.Errorf("fetch: start yt-dlp: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	outTail := proc.Tail{Max: 16 << 10}
	go func() { defer wg.Done(); readProgress(stdout, &outTail, progress) }()
	go func() { defer wg.Done(); y.watchSize(wctx, dir, stopWatch) }()
	runErr := cmd.Wait()
	stopWatch(nil)
	wg.Wait()
	y.log().Debug("yt-dlp finished", zap.Error(runErr), zap.String("stderr", stderr.String()))

	switch cause := context.Cause(wctx); {
	case errors.Is(cause, errTooBig):
		return nil, tooLarge(y.MaxBytes)
	case errors.Is(cause, errDeadline):
		return nil, simvid.Wrap(simvid.EUnavailable, runErr, "the link took longer than %s to fetch", y.timeout())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("fetch: yt-dlp stopped: %w", ctx.Err())
	}
	if runErr != nil {
		return nil, classify(stderr.String() + "\n" + outTail.String())
	}
	out := outTail.String()
	switch {
	case strings.Contains(out, "larger than max-filesize"):
		return nil, tooLarge(y.MaxBytes)
	case strings.Contains(out, "does not pass filter"):
		if y.MaxSeconds > 0 {
			return nil, simvid.Errorf(simvid.ETooLarge, "the track is longer than the %s limit, or is a live stream", clock(y.MaxSeconds))
		}
		return nil, refuse("live streams cannot be used as music")
	}
	if err := y.collect(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// collect finds the downloaded file and its metadata and checks them against the caps.
func (y *YTDLP) collect(ctx context.Context, t *Track) error {
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return fmt.Errorf("fetch: read scratch dir: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, mediaPrefix) {
			continue
		}
		switch {
		case strings.HasSuffix(name, ".info.json"):
			var info struct {
				Title    string  `json:"title"`
				Duration float64 `json:"duration"`
			}
			if b, err := os.ReadFile(filepath.Join(t.dir, name)); err == nil && json.Unmarshal(b, &info) == nil {
				t.Title, t.Duration = info.Title, info.Duration
			}
		case strings.HasSuffix(name, ".part"), strings.HasSuffix(name, ".ytdl"), strings.HasSuffix(name, ".temp"):
		default:
			t.Path = filepath.Join(t.dir, name)
		}
	}
	if t.Path == "" {
		return refuse("no sound was found at the link")
	}
	fi, err := os.Stat(t.Path)
	if err != nil {
		return fmt.Errorf("fetch: stat download: %w", err)
	}
	t.Size = fi.Size()
	if y.MaxBytes > 0 && t.Size > y.MaxBytes {
		return tooLarge(y.MaxBytes)
	}
	if y.Probe != nil {
		d, err := y.probe(ctx, t.Path)
		if err != nil {
			return err
		}
		if d > 0 {
			t.Duration = d
		}
	}
	if y.MaxSeconds > 0 && t.Duration > y.MaxSeconds {
		return y.tooLong(t.Duration)
	}
	return nil
}

// probe measures a download; a file ffprobe cannot read is not sound.
func (y *YTDLP) probe(ctx context.Context, path string) (float64, error) {
	d, err := y.Probe(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("fetch: probe: %w", ctx.Err())
		}
		return 0, simvid.Wrap(simvid.EUnsupported, err, "what the link gave is not sound this server can read")
	}
	return d, nil
}

func (y *YTDLP) tooLong(d float64) error {
	if d > 0 {
		return simvid.Errorf(simvid.ETooLarge, "the track lasts %s; the limit is %s", clock(d), clock(y.MaxSeconds))
	}
	return simvid.Errorf(simvid.ETooLarge, "the track is longer than the %s limit", clock(y.MaxSeconds))
}

// checkAddrs refuses a host whose name resolves to an address the policy does not allow:
// yt-dlp connects by itself, so this is checked before it starts.
func (y *YTDLP) checkAddrs(ctx context.Context, host string) error {
	lookup := y.Lookup
	if lookup == nil {
		lookup = dnsLookup
	}
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ips, err := lookup(lctx, host)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("fetch: %w", ctx.Err())
		}
		return simvid.Wrap(simvid.EUnavailable, err, "the link's site could not be reached")
	}
	for _, ip := range ips {
		if !y.Policy.AddrAllowed(ip) {
			return simvid.Errorf(simvid.EUnprocessable, "the link points to a private or local address, which is not allowed")
		}
	}
	return nil
}

// watchSize stops the download when the scratch directory grows past the cap.
func (y *YTDLP) watchSize(ctx context.Context, dir string, stop context.CancelCauseFunc) {
	if y.MaxBytes <= 0 {
		return
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var total int64
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				total += fi.Size()
			}
		}
		if total > y.MaxBytes+infoSlack {
			stop(errTooBig)
			return
		}
	}
}

func (y *YTDLP) command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := proc.Command(ctx, y.path(), args...)
	cmd.Dir = dir
	// No user configuration, cache or plugins from the service account's home.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LC_ALL=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1"}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v) // an operator's egress proxy (YouTube blocks many datacenters)
		}
	}
	return cmd
}

func (y *YTDLP) log() *zap.Logger {
	if y.Log == nil {
		return zap.NewNop()
	}
	return y.Log
}

func readProgress(r io.Reader, keep *proc.Tail, progress func(float64)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := progressRe.FindStringSubmatch(line); m != nil {
			if pct, err := strconv.ParseFloat(m[1], 64); err == nil && progress != nil {
				progress(math.Min(pct, 100))
			}
			continue
		}
		_, _ = keep.Write([]byte(line + "\n"))
	}
	_, _ = io.Copy(io.Discard, r)
}

func clock(sec float64) string {
	s := int64(math.Ceil(sec))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
