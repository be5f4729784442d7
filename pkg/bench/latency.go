package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Recorder counts requests by route: latencies, statuses and transport errors. It is safe
// for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	routes map[string]*routeStats
}

type routeStats struct {
	lat      []time.Duration
	statuses map[int]int
	errs     int
	lastErr  string
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{routes: map[string]*routeStats{}} }

// Add records one request of route: its status (0 with err for a transport error) and how
// long it took.
func (r *Recorder) Add(route string, status int, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.routes[route]
	if s == nil {
		s = &routeStats{statuses: map[int]int{}}
		r.routes[route] = s
	}
	if err != nil {
		s.errs++
		s.lastErr = err.Error()
		return
	}
	s.statuses[status]++
	s.lat = append(s.lat, d)
}

// RouteSummary is what Summary reports about one route.
type RouteSummary struct {
	Route         string
	Count         int
	Statuses      map[int]int
	TransportErrs int
	LastErr       string
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Failures counts answers with status 500 or more plus transport errors.
func (s RouteSummary) Failures() int {
	n := s.TransportErrs
	for st, c := range s.Statuses {
		if st >= 500 {
			n += c
		}
	}
	return n
}

// Summary returns every route, sorted by name.
func (r *Recorder) Summary() []RouteSummary {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []RouteSummary
	for name, s := range r.routes {
		lat := slices.Clone(s.lat)
		slices.Sort(lat)
		sum := RouteSummary{Route: name, Count: len(lat) + s.errs, Statuses: map[int]int{}, TransportErrs: s.errs, LastErr: s.lastErr,
			P50: Quantile(lat, 0.50), P95: Quantile(lat, 0.95), P99: Quantile(lat, 0.99)}
		if len(lat) > 0 {
			sum.Max = lat[len(lat)-1]
		}
		for k, v := range s.statuses {
			sum.Statuses[k] = v
		}
		out = append(out, sum)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}

// Quantile returns the q-quantile (nearest rank) of sorted durations, 0 for none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Print writes the summary as a table.
func (r *Recorder) Print(w io.Writer) {
	fmt.Fprintf(w, "%-44s %7s %9s %9s %9s %9s  %s\n", "route", "count", "p50", "p95", "p99", "max", "statuses")
	for _, s := range r.Summary() {
		var st []string
		for _, k := range slices.Sorted(maps.Keys(s.Statuses)) {
			st = append(st, fmt.Sprintf("%d:%d", k, s.Statuses[k]))
		}
		if s.TransportErrs > 0 {
			st = append(st, fmt.Sprintf("transport errors:%d (%s)", s.TransportErrs, s.LastErr))
		}
		fmt.Fprintf(w, "%-44s %7d %9s %9s %9s %9s  %s\n", s.Route, s.Count, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max), strings.Join(st, " "))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
