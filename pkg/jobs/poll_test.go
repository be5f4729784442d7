package jobs

import "testing"

// The linkname reaches gocraft/work's idle schedule and caps it.
func TestIdlePollCapped(t *testing.T) {
	capGocraftIdlePoll()
	if len(gocraftIdleSleeps) == 0 {
		t.Fatal("gocraft/work's idle sleep schedule was not found")
	}
	for _, ms := range gocraftIdleSleeps {
		if ms > maxIdlePollMillis {
			t.Fatalf("idle sleep %d ms survived the cap: %v", ms, gocraftIdleSleeps)
		}
	}
}
