package jobs

import (
	"testing"
	"time"
)

// TestWholeSecondsAfter: the queue counts from its current whole second, so the argument
// must cover the fraction already gone by.
func TestWholeSecondsAfter(t *testing.T) {
	base := time.Unix(100, 0)
	for _, tc := range []struct {
		frac, d time.Duration
		want    int64
	}{
		{0, time.Second, 1}, {900 * time.Millisecond, time.Second, 2}, {100 * time.Millisecond, 30 * time.Second, 31},
		{0, 0, 1}, {999 * time.Millisecond, time.Hour, 3601},
	} {
		now := base.Add(tc.frac)
		got := wholeSecondsAfter(now, tc.d)
		if got != tc.want {
			t.Errorf("wholeSecondsAfter(+%v, %v) = %d, want %d", tc.frac, tc.d, got, tc.want)
		}
		if run := time.Unix(now.Unix()+got, 0); run.Sub(now) < tc.d {
			t.Errorf("+%v, %v: runs %v after, sooner than asked", tc.frac, tc.d, run.Sub(now))
		}
	}
}
