package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/simvid/simvid/pkg/proc"
)

// TreeRSS returns the resident memory, in bytes, of process pid and all of its descendants,
// read from /proc. It returns 0 once pid has exited. Processes that vanish while they are
// being read count as 0.
func TreeRSS(pid int) int64 {
	var sum int64
	for _, p := range Tree(pid) {
		sum += processRSS(p)
	}
	return sum
}

// Tree returns pid followed by every descendant of it, found by walking the parent ids in
// /proc/*/stat. It returns nil when pid does not exist. A process's parent is read once, when
// its pid first shows up in /proc (parents counts: a pid gone from /proc is forgotten), so a
// walk lists /proc and reads the stat of the processes started since the last: reading every
// stat took 6 ms of CPU a call with 165 processes, and the peak samplers call it 20 times a
// second each, so the three of the two-worker bench took about 0.37 of the 2 cores from the
// render they measured (issue 20).
func Tree(pid int) []int {
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err != nil {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	children := parents.children(entries)
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// parents keeps the parent id of every process seen in /proc, for Tree.
var parents = parentCache{ppid: map[int]int{}}

type parentCache struct {
	mu   sync.Mutex
	ppid map[int]int
}

// children maps each parent to its children among the processes of entries (a listing of
// /proc), reading the stat of processes not seen before and forgetting those gone.
func (c *parentCache) children(entries []os.DirEntry) map[int][]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	live := make(map[int]bool, len(entries))
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		live[p] = true
		pp, ok := c.ppid[p]
		if !ok {
			if pp, ok = parentOf(p); !ok {
				continue
			}
			c.ppid[p] = pp
		}
		children[pp] = append(children[pp], p)
	}
	for p := range c.ppid {
		if !live[p] {
			delete(c.ppid, p)
		}
	}
	return children
}

// parentOf reads the ppid of p (field 4 of /proc/p/stat).
func parentOf(p int) (int, bool) {
	return proc.StatField(filepath.Join("/proc", strconv.Itoa(p), "stat"), 4)
}

// TreePSS returns the proportional set size, in bytes, of process pid and its descendants:
// each page counted once across the processes that share it (ffmpeg's shared libraries,
// about 35 MB, are resident once however many ffmpeg run, while TreeRSS counts them once a
// process). Processes that vanish count as 0.
func TreePSS(pid int) int64 {
	var sum int64
	for _, p := range Tree(pid) {
		sum += kbLine(filepath.Join("/proc", strconv.Itoa(p), "smaps_rollup"), "Pss:")
	}
	return sum
}

// processRSS reads VmRSS of one process; 0 when it is gone or is a zombie (no VmRSS line).
func processRSS(p int) int64 {
	return kbLine(filepath.Join("/proc", strconv.Itoa(p), "status"), "VmRSS:")
}

// kbLine reads the "<prefix> <n> kB" line of a /proc file, in bytes; 0 without one.
func kbLine(path, prefix string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		var kb int64
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// PeakSampler samples TreeRSS (and, when asked, TreePSS) of one process at a fixed interval
// in its own goroutine and keeps the largest sums seen. Windows let one sampler measure several phases in turn.
type PeakSampler struct {
	pid      int
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	withPSS  bool

	mu      sync.Mutex
	peak    int64     // largest sum in the current window
	peakPSS int64     // the same of TreePSS, when sampled
	samples int       // samples in the current window
	taken   int       // samples since the start
	at      Breakdown // the processes at the current window's peak
	last    Breakdown // those of the window Reset or Stop ended
}

// NewPeakSampler starts sampling pid's process tree every interval (50 ms when 0), taking a
// first sample before it returns. Call Stop when done.
func NewPeakSampler(pid int, interval time.Duration) *PeakSampler {
	return startSampler(pid, interval, false)
}

func startSampler(pid int, interval time.Duration, withPSS bool) *PeakSampler {
	if interval <= 0 {
		interval = 50 * time.Millisecond
	}
	s := &PeakSampler{pid: pid, interval: interval, withPSS: withPSS, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go s.loop()
	return s
}

func (s *PeakSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sample()
		}
	}
}

// pssEvery is how many samples go by between two of TreePSS: reading smaps_rollup walks a
// process's page tables under its memory lock (about 6 ms for 200 MB resident), so taken
// at every RSS sample it would slow the processes measured.
const pssEvery = 10

// NewPeakPSSSampler is NewPeakSampler that samples TreePSS too (PeakPSS), every pssEvery'th
// sample.
func NewPeakPSSSampler(pid int, interval time.Duration) *PeakSampler {
	return startSampler(pid, interval, true)
}

func (s *PeakSampler) sample() {
	now := time.Now()
	each := treeRSSEach(s.pid)
	var v int64
	for _, p := range each {
		v += p.RSS
	}
	s.mu.Lock()
	higher := v > s.peak
	s.mu.Unlock()
	var at Breakdown
	if higher { // read only at a new peak: argv is a file read a process, too slow for every sample
		at = breakdownOf(now, each)
	}
	s.mu.Lock()
	pss := s.withPSS && s.taken%pssEvery == 0 // withPSS is set before sampling starts
	s.taken++
	s.mu.Unlock()
	var p int64
	if pss {
		p = TreePSS(s.pid)
	}
	s.mu.Lock()
	s.samples++
	if v > s.peak {
		s.peak, s.at = v, at
	}
	s.peakPSS = max(s.peakPSS, p)
	s.mu.Unlock()
}

// PeakPSS returns the largest process-tree PSS, in bytes, of the current window (0 unless
// the sampler was made by NewPeakPSSSampler).
func (s *PeakSampler) PeakPSS() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakPSS
}

// Peak returns the largest process-tree RSS, in bytes, of the current window.
func (s *PeakSampler) Peak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Samples returns how many samples the current window holds.
func (s *PeakSampler) Samples() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// Reset takes a sample, ends the current window and returns its peak; the next window
// starts from nothing.
func (s *PeakSampler) Reset() int64 {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	s.last = s.at
	s.peak, s.peakPSS, s.samples, s.at = 0, 0, 0, Breakdown{}
	return p
}

// LastBreakdown returns the processes at the peak of the window the last Reset ended (or,
// after Stop, of the current one).
func (s *PeakSampler) LastBreakdown() Breakdown {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Stop takes a last sample, stops the sampler and returns the peak of the current window.
// It is safe to call more than once.
func (s *PeakSampler) Stop() int64 {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		s.sample()
		s.mu.Lock()
		s.last = s.at
		s.mu.Unlock()
	})
	return s.Peak()
}
