// Package ffmpeg runs ffmpeg and ffprobe under a context, in their own process group, parses
// -progress output and turns failures into messages people understand.
package ffmpeg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/proc"
)

// Runner starts ffmpeg and ffprobe. The zero value is not usable; use New.
type Runner struct {
	ffmpeg  string
	ffprobe string
	nice    int
	log     *zap.Logger
	kind    Kind   // what runs are counted under (As); "": KindOther or KindProbe
	usage   *Usage // shared by every copy
}

// New returns a Runner for the given binaries ("ffmpeg" and "ffprobe" look in PATH).
func New(ffmpegPath, ffprobePath string, log *zap.Logger) *Runner {
	if ffmpegPath == "" {
		ffmpegPath = "ffmpeg"
	}
	if ffprobePath == "" {
		ffprobePath = "ffprobe"
	}
	return &Runner{ffmpeg: ffmpegPath, ffprobe: ffprobePath, log: log, usage: NewUsage()}
}

// WithNice returns a copy of r whose ffmpeg and ffprobe run at niceness n (0: simvid's own;
// see proc.Start).
func (r *Runner) WithNice(n int) *Runner {
	c := *r
	c.nice = n
	return &c
}

// FFmpegPath and FFprobePath return the configured binaries.
func (r *Runner) FFmpegPath() string  { return r.ffmpeg }
func (r *Runner) FFprobePath() string { return r.ffprobe }

// RunError is a failed ffmpeg or ffprobe run. Message is for people; Stderr is the tail of
// the tool's own words, for operators.
type RunError struct {
	Tool     string
	ExitCode int
	Stderr   string
	Message  string
}

func (e *RunError) Error() string {
	return fmt.Sprintf("%s failed (exit %d): %s: %s", e.Tool, e.ExitCode, e.Message, lastLine(e.Stderr))
}

// stderrKeep is how much of a tool's stderr is kept for the error: its last lines say why.
const stderrKeep = 8 << 10

// Run runs ffmpeg with args (the program name excluded). -hide_banner, -nostdin and -y are
// added. When onProgress is set, ffmpeg reports through -progress and onProgress receives the
// number of frames written so far, at most twice a second and once at the end.
// Cancelling ctx kills ffmpeg's whole process group at once.
func (r *Runner) Run(ctx context.Context, args []string, onProgress func(frames int64)) error {
	_, err := r.run(ctx, "error", args, onProgress)
	return err
}

// RunWarnings is Run without progress that also returns the tail of ffmpeg's stderr at
// warning level when it succeeds: damage a decoder conceals is only ever a warning (see
// Concealed).
func (r *Runner) RunWarnings(ctx context.Context, args []string) (stderr string, err error) {
	return r.run(ctx, "warning", args, nil)
}

// RunFed is Run with inputs the caller writes: feeds[i] writes to the pipe that ffmpeg reads
// as pipe:N with N = 3+i (args name them), each in its own goroutine, and its end of the
// pipe is closed when it returns. A feed's write fails once ffmpeg has stopped; ffmpeg's own
// error is then the one returned, else the first feed's.
func (r *Runner) RunFed(ctx context.Context, args []string, feeds []func(io.Writer) error, onProgress func(frames int64)) error {
	var readers, writers []*os.File
	defer func() {
		for _, f := range append(readers, writers...) {
			_ = f.Close()
		}
	}()
	for range feeds {
		pr, pw, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("ffmpeg: pipe: %w", err)
		}
		growPipe(pw)
		readers, writers = append(readers, pr), append(writers, pw)
	}
	errs := make([]error, len(feeds))
	var wg sync.WaitGroup
	started := func() {
		for _, f := range readers { // ffmpeg has its copies
			_ = f.Close()
		}
		readers = nil
		for i, feed := range feeds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = feed(writers[i])
				_ = writers[i].Close() // ffmpeg sees the end of the input
			}()
		}
	}
	_, err := r.runWith(ctx, "error", args, onProgress, readers, started)
	if err != nil {
		for _, w := range writers { // a feed blocked on a full pipe returns
			_ = w.Close()
		}
	}
	wg.Wait()
	writers = nil
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil {
			return fmt.Errorf("ffmpeg: feeding frames: %w", e)
		}
	}
	return nil
}

func (r *Runner) run(ctx context.Context, level string, args []string, onProgress func(frames int64)) (string, error) {
	return r.runWith(ctx, level, args, onProgress, nil, nil)
}

// runWith is run with extra files for the child (fd 3 on) and a hook called once it started.
func (r *Runner) runWith(ctx context.Context, level string, args []string, onProgress func(frames int64), extra []*os.File, started func()) (string, error) {
	full := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", level}
	if onProgress != nil {
		full = append(full, "-progress", "pipe:1", "-nostats", "-stats_period", "0.5")
	}
	full = append(full, args...)
	cmd := command(ctx, r.ffmpeg, full)
	cmd.ExtraFiles = extra
	if hugePaged[r.kindOr(KindOther)] {
		cmd.Env = withHugePages(os.Environ())
	}
	stderr := proc.Tail{Max: stderrKeep}
	cmd.Stderr = &stderr
	var wg sync.WaitGroup
	if onProgress != nil {
		out, err := cmd.StdoutPipe()
		if err != nil {
			return "", fmt.Errorf("ffmpeg: stdout pipe: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			readProgress(out, onProgress)
		}()
	}
	start := time.Now()
	if err := proc.Start(cmd, r.nice); err != nil {
		return "", fmt.Errorf("ffmpeg: start %s: %w", r.ffmpeg, err)
	}
	if started != nil {
		started()
	}
	wg.Wait()
	err := cmd.Wait()
	took := time.Since(start)
	r.usage.Add(r.kindOr(KindOther), cmd.ProcessState, took)
	var cpu time.Duration // user+sys, beside the wall time: under load the two part
	if st := cmd.ProcessState; st != nil {
		cpu = st.UserTime() + st.SystemTime()
	}
	r.log.Debug("ffmpeg", zap.String("kind", string(r.kindOr(KindOther))), zap.Strings("args", args), zap.Duration("took", took),
		zap.Duration("cpu", cpu), zap.Error(err))
	return stderr.String(), runErr(ctx, "ffmpeg", err, stderr.String())
}

// hugePaged are the kinds that decode a large picture. Their time went mostly to the kernel
// faulting in and zeroing the frames' fresh memory page by page (a third of a 12-megapixel
// thumb_still run under perf, beside ffmpeg's own start-up): they ask glibc (2.35 on) to back
// its large allocations with transparent huge pages where the kernel allows it on request
// (transparent_hugepage "madvise" or "always"), 512 times fewer faults: 15 to 20% less CPU a
// run for 2 to 4 MB more resident. Elsewhere the setting is ignored. Encoders are left as
// they are: their frames are small and many of them run at once.
var hugePaged = map[Kind]bool{KindThumbStill: true, KindThumbnail: true, KindStill: true}

// hugePagesTunable is the glibc tunable withHugePages adds.
const hugePagesTunable = "glibc.malloc.hugetlb=1"

// withHugePages returns env with hugePagesTunable added to GLIBC_TUNABLES (kept, when set).
func withHugePages(env []string) []string {
	out := make([]string, 0, len(env)+1)
	tun := "GLIBC_TUNABLES=" + hugePagesTunable
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GLIBC_TUNABLES="); ok {
			if v != "" {
				tun += ":" + v // a later setting of the same tunable wins: the operator's
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, tun)
}

// Output runs a tool (ffmpeg or ffprobe by path) and returns its stdout.
func (r *Runner) output(ctx context.Context, tool string, args []string) ([]byte, error) {
	out, _, err := r.outputStderr(ctx, tool, args)
	return out, err
}

// outputStderr is output that also returns the tail of the tool's stderr.
func (r *Runner) outputStderr(ctx context.Context, tool string, args []string) ([]byte, string, error) {
	cmd := command(ctx, tool, args)
	var stdout bytes.Buffer
	stderr := proc.Tail{Max: stderrKeep}
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err := proc.Run(cmd, r.nice)
	def := KindProbe
	if tool == r.ffmpeg {
		def = KindOther
	}
	r.usage.Add(r.kindOr(def), cmd.ProcessState, time.Since(start))
	return stdout.Bytes(), stderr.String(), runErr(ctx, tool, err, stderr.String())
}

func command(ctx context.Context, tool string, args []string) *exec.Cmd {
	return proc.Command(ctx, tool, args...)
}

func runErr(ctx context.Context, tool string, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("ffmpeg: %s stopped: %w", tool, ctxErr)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return &RunError{Tool: tool, ExitCode: exit.ExitCode(), Stderr: stderr, Message: Explain(stderr)}
	}
	return fmt.Errorf("ffmpeg: run %s: %w", tool, err)
}

func readProgress(r io.Reader, onProgress func(int64)) {
	sc := bufio.NewScanner(r)
	var frame int64
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		switch k {
		case "frame":
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				frame = n
			}
		case "progress": // ends each block: "continue" or "end"
			onProgress(frame)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
