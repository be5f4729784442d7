package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/proc"
)

// pidsWhere lists the live processes whose /proc directory satisfies keep.
func pidsWhere(keep func(dir string) bool) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && keep(filepath.Join("/proc", e.Name())) {
			out = append(out, pid)
		}
	}
	return out
}

// GroupPIDs lists the live processes of process group pgid.
func GroupPIDs(pgid int) []int {
	return pidsWhere(func(dir string) bool {
		g, ok := proc.StatField(filepath.Join(dir, "stat"), 5)
		return ok && g == pgid
	})
}

// ChildPIDs lists the processes whose parent is ppid and whose command name is comm.
func ChildPIDs(ppid int, comm string) []int {
	return pidsWhere(func(dir string) bool {
		name, _ := os.ReadFile(filepath.Join(dir, "comm"))
		p, ok := proc.StatField(filepath.Join(dir, "stat"), 4)
		return ok && p == ppid && strings.TrimSpace(string(name)) == comm
	})
}

// ThreadNices returns the niceness (field 19 of stat) of every thread of process pid, by
// thread id: niceness is a property of each thread on Linux, not of the process.
func ThreadNices(pid int) (map[int]int, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("threads of %d: %w", pid, err)
	}
	out := map[int]int{}
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if n, ok := proc.StatField(filepath.Join(dir, e.Name(), "stat"), 19); ok {
			out[tid] = n
		}
	}
	return out, nil
}
