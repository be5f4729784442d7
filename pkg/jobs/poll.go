package jobs

import (
	"sync"
	_ "unsafe" // for go:linkname

	_ "github.com/gocraft/work" // the variable below lives there
)

// gocraft/work v0.5.1 lets an idle worker sleep up to 5 s between polls of its queue, with
// no setting to change it: a job enqueued into a quiet queue then waits seconds before it
// starts (music 5 s late, a render 5 s late). The schedule is a package variable; simvid
// caps it once per process so an idle worker polls at most every maxIdlePoll: a job then
// waits 25 ms on average for an idle worker (a music edit's whole re-render takes about
// 0.4 s), for one poll of each queue 20 times a second per worker (a Lua script that Redis
// runs in microseconds).
//
//go:linkname gocraftIdleSleeps github.com/gocraft/work.sleepBackoffsInMilliseconds
var gocraftIdleSleeps []int64

const maxIdlePollMillis = 50

var capIdlePoll sync.Once

func capGocraftIdlePoll() {
	capIdlePoll.Do(func() {
		for i, ms := range gocraftIdleSleeps {
			gocraftIdleSleeps[i] = min(ms, maxIdlePollMillis)
		}
	})
}
