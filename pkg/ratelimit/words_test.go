package ratelimit

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "1 second",
		time.Second:                   "1 second",
		1500 * time.Millisecond:       "2 seconds",
		time.Minute:                   "60 seconds",
		61 * time.Second:              "2 minutes",
		12 * time.Minute:              "12 minutes",
		89 * time.Minute:              "89 minutes",
		90 * time.Minute:              "2 hours",
		24 * time.Hour:                "24 hours",
		23*time.Hour + 59*time.Minute: "24 hours",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPeriodWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "second", time.Minute: "minute", time.Hour: "hour",
		24 * time.Hour: "day", 500 * time.Millisecond: "500ms",
	} {
		if got := periodWords(d); got != want {
			t.Errorf("periodWords(%v) = %q, want %q", d, got, want)
		}
	}
}
