package bench

import (
	"fmt"
	"math"
	"sort"
)

// Target is one of issue 20's targets with its measured value: a row of the targets table
// every bench test prints (Targets).
type Target struct {
	Name         string
	Measured     float64 // NaN: not measured by this run (Note says where it is)
	Limit        float64
	Unit         string // "x" for a ratio, "MB", "s", ...
	LessIsBetter bool   // met when Measured <= Limit; else when Measured >= Limit
	Note         string // optional: how it was measured, or what holds it back
}

// Met reports whether the target is met; false when it was not measured.
func (t Target) Met() bool {
	if math.IsNaN(t.Measured) {
		return false
	}
	if t.LessIsBetter {
		return t.Measured <= t.Limit
	}
	return t.Measured >= t.Limit
}

// Targets formats rows as aligned text lines: name, measured, the limit with its direction,
// and met or NOT MET (or "not measured").
func Targets(rows ...Target) []string {
	lines := []string{fmt.Sprintf("%-52s %10s %10s  %s", "target", "measured", "limit", "result")}
	for _, t := range rows {
		op := ">="
		if t.LessIsBetter {
			op = "<="
		}
		measured, verdict := "-", "not measured"
		if !math.IsNaN(t.Measured) {
			measured = fmt.Sprintf("%.2f%s", t.Measured, t.Unit)
			verdict = "NOT MET"
			if t.Met() {
				verdict = "met"
			}
		}
		line := fmt.Sprintf("%-52s %10s %10s  %s", t.Name, measured, fmt.Sprintf("%s %g%s", op, t.Limit, t.Unit), verdict)
		if t.Note != "" {
			line += " (" + t.Note + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// Spread is the minimum, median and maximum of a value over runs.
type Spread struct{ Min, Median, Max float64 }

// SpreadOf returns the spread of vs (zero for none).
func SpreadOf(vs []float64) Spread {
	if len(vs) == 0 {
		return Spread{}
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{s[0], med, s[len(s)-1]}
}

func (s Spread) String() string {
	return fmt.Sprintf("min %.2f, median %.2f, max %.2f", s.Min, s.Median, s.Max)
}
