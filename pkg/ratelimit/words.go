package ratelimit

import (
	"fmt"
	"time"
)

// bucketNoun names what a bucket counts, for the 429 message.
func bucketNoun(bucket string) string {
	switch bucket {
	case BucketUpload:
		return "uploads"
	case BucketRender:
		return "renders"
	case BucketRead:
		return "reads"
	case BucketOther:
		return "requests"
	case BucketLink:
		return "music links"
	}
	return bucket + " requests"
}

// periodWords says a rate's period the way a person would: "hour", "day", "500ms".
func periodWords(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return d.String()
}

// humanDuration rounds a wait up to a unit a person reads at a glance.
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d <= time.Minute:
		return plural(max(int64((d+time.Second-1)/time.Second), 1), "second")
	case d < 90*time.Minute:
		return plural(int64((d+time.Minute-1)/time.Minute), "minute")
	default:
		return plural(int64((d+time.Hour-1)/time.Hour), "hour")
	}
}
