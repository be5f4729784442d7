package bench

import "fmt"

// Measure is one measured run: its wall time and the peak resident memory of its process
// tree.
type Measure struct {
	Name    string
	Seconds float64
	PeakRSS int64 // bytes
}

// Table formats the runs as aligned text lines, each run's time also given as a ratio to
// the first run's (the reference).
func Table(runs ...Measure) []string {
	lines := []string{fmt.Sprintf("%-22s %9s %8s %12s", "run", "seconds", "ratio", "peak RSS MB")}
	if len(runs) == 0 {
		return lines
	}
	ref := runs[0].Seconds
	for _, m := range runs {
		ratio := "-"
		if ref > 0 {
			ratio = fmt.Sprintf("%.2f", m.Seconds/ref)
		}
		lines = append(lines, fmt.Sprintf("%-22s %9.2f %8s %12.1f", m.Name, m.Seconds, ratio, float64(m.PeakRSS)/(1<<20)))
	}
	return lines
}
