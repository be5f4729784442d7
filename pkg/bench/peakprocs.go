package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ProcRSS is one process of a tree at the moment its summed RSS peaked: what the peak is
// made of.
type ProcRSS struct {
	Pid  int
	Kind string // the program and what it was doing (describe)
	RSS  int64
}

// Breakdown is the process tree at its peak: when the peak was sampled and each process's
// RSS then, largest first.
type Breakdown struct {
	At    time.Time
	Procs []ProcRSS
}

// String writes the breakdown on one line: "simvid 61 MB, ffmpeg [libx264] 80 MB, ...",
// processes of the same kind summed ("2x").
func (b Breakdown) String() string {
	type group struct {
		kind string
		n    int
		rss  int64
	}
	var groups []*group
	for _, p := range b.Procs {
		i := slices.IndexFunc(groups, func(g *group) bool { return g.kind == p.Kind })
		if i < 0 {
			groups = append(groups, &group{kind: p.Kind})
			i = len(groups) - 1
		}
		groups[i].n++
		groups[i].rss += p.RSS
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return int(b.rss - a.rss) })
	parts := make([]string, len(groups))
	for i, g := range groups {
		n := ""
		if g.n > 1 {
			n = fmt.Sprintf("%dx ", g.n)
		}
		parts[i] = fmt.Sprintf("%s%s %.1f MB", n, g.kind, float64(g.rss)/(1<<20))
	}
	return strings.Join(parts, ", ")
}

// treeRSSEach returns the RSS of pid and each of its descendants; vanished processes and
// zombies are left out.
func treeRSSEach(pid int) []ProcRSS {
	var out []ProcRSS
	for _, p := range Tree(pid) {
		if v := processRSS(p); v > 0 {
			out = append(out, ProcRSS{Pid: p, RSS: v})
		}
	}
	return out
}

// describe names what process p is: its program, and for ffmpeg the codecs and formats it
// was given (-c:v, -c:a, -f, ...) and -lowres, which tell intake's decoders, the music's
// decode and pieces, the video encoders and the join apart. "gone" when it has exited.
func describe(p int) string {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "cmdline"))
	if err != nil || len(raw) == 0 {
		return "gone"
	}
	argv := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	prog := filepath.Base(argv[0])
	if prog != "ffmpeg" && prog != "ffprobe" {
		if len(argv) > 1 && !strings.HasPrefix(argv[1], "-") {
			return prog + " " + argv[1] // simvid all, simvid work
		}
		return prog
	}
	var what []string
	for i := 1; i+1 < len(argv); i++ {
		switch argv[i] {
		case "-c:v", "-c:a", "-codec:v", "-codec:a", "-vcodec", "-acodec", "-f", "-lowres":
			v := argv[i+1]
			if argv[i] == "-lowres" {
				v = "lowres"
			}
			if !slices.Contains(what, v) {
				what = append(what, v)
			}
			i++
		}
	}
	if len(what) == 0 {
		return prog
	}
	return prog + " [" + strings.Join(what, " ") + "]"
}

// breakdownOf describes each process of procs, largest first.
func breakdownOf(at time.Time, procs []ProcRSS) Breakdown {
	for i := range procs {
		procs[i].Kind = describe(procs[i].Pid)
	}
	slices.SortStableFunc(procs, func(a, b ProcRSS) int { return int(b.RSS - a.RSS) })
	return Breakdown{At: at, Procs: procs}
}
