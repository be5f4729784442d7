package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/proc"
)

// GroupPIDs lists the live processes of process group pgid.
func GroupPIDs(pgid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, ok := proc.StatField(filepath.Join("/proc", e.Name(), "stat"), 5); ok && g == pgid {
			out = append(out, pid)
		}
	}
	return out
}

// ChildPIDs lists the processes whose parent is ppid and whose command name is comm.
func ChildPIDs(ppid int, comm string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		name, _ := os.ReadFile(filepath.Join(dir, "comm"))
		if p, ok := proc.StatField(filepath.Join(dir, "stat"), 4); ok && p == ppid && strings.TrimSpace(string(name)) == comm {
			out = append(out, pid)
		}
	}
	return out
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
