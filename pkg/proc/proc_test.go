package proc_test

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/proc"
	"github.com/simvid/simvid/pkg/testutil"
)

// groupOf starts a shell through Start that, once told to, starts two sleeps, so that they
// are born after Start set the niceness; it returns every process of the group.
func groupOf(t *testing.T, nice int) []int {
	t.Helper()
	testutil.Need(t, "sh", "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := proc.Command(ctx, "sh", "-c", "read go; sleep 60 & sleep 60 & wait")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Start(cmd, nice); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	if _, err := in.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var group []int
	for range 1000 { // until the shell has started both sleeps
		if group = testutil.GroupPIDs(pid); len(group) == 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(group) != 3 {
		t.Fatalf("process group %d holds %v, want the shell and its two sleeps", pid, group)
	}
	return group
}

// checkNices fails unless every thread of every process in group runs at niceness want.
func checkNices(t *testing.T, group []int, want int) {
	t.Helper()
	for _, p := range group {
		nices, err := testutil.ThreadNices(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("process %d: niceness by thread %v", p, nices)
		for tid, n := range nices {
			if n != want {
				t.Errorf("process %d thread %d runs at niceness %d, want %d", p, tid, n, want)
			}
		}
	}
}

func TestStartNicesTheWholeGroup(t *testing.T) {
	checkNices(t, groupOf(t, 7), 7)
}

func TestStartWithoutNiceKeepsOurs(t *testing.T) {
	ours, err := testutil.ThreadNices(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	own := ours[os.Getpid()]
	checkNices(t, groupOf(t, 0), own)
}

// A child that already runs nicer than asked (simvid itself started under nice) keeps its
// niceness: the setting lowers priorities, never raises them.
func TestStartNeverRaisesPriority(t *testing.T) {
	got := make(chan []int)
	go func() {
		// Only this thread is made nicer, and it ends with the goroutine (no
		// UnlockOSThread), so the rest of the test binary keeps its priority. The child is
		// forked from this thread and inherits its niceness.
		runtime.LockOSThread()
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 12); err != nil {
			t.Errorf("renice the forking thread: %v", err)
			got <- nil
			return
		}
		got <- groupOf(t, 5)
	}()
	group := <-got
	if group == nil {
		t.FailNow()
	}
	checkNices(t, group, 12)
}
