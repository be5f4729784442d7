package metrics

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ListenFirstFree moves past ports in use and says which ones when all of them are.
func TestListenFirstFree(t *testing.T) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	// Two neighbouring ports held by someone else.
	var port int
	for port == 0 {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := a.Addr().(*net.TCPAddr).Port
		b, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		if err != nil {
			a.Close()
			continue
		}
		held, port = append(held, a, b), p
	}
	if _, err := ListenFirstFree("127.0.0.1", port, 2); err == nil || !strings.Contains(err.Error(), "are all in use") {
		t.Fatalf("two busy ports of two: %v", err)
	}
	ln, err := ListenFirstFree("127.0.0.1", port, 10)
	if err != nil {
		t.Skipf("no free port after %d: %v", port+1, err)
	}
	defer ln.Close()
	if got := ln.Addr().(*net.TCPAddr).Port; got <= port+1 || got >= port+10 {
		t.Fatalf("got port %d, want the first free one after %d", got, port+1)
	}
}

// The store's byte counters are read at scrape time, one series per direction.
func TestStorageBytes(t *testing.T) {
	m := New()
	var up, down int64 = 10, 3
	m.AddStorageBytes(func() (int64, int64) { return up, down })
	up, down = 2048, 512 // read when scraped, not when registered
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != "simvid_storage_bytes_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			got[s.GetLabel()[0].GetValue()] = s.GetCounter().GetValue()
		}
	}
	if got["up"] != 2048 || got["down"] != 512 || len(got) != 2 {
		t.Fatalf("simvid_storage_bytes_total: %v, want up 2048, down 512", got)
	}
	var none *Metrics
	none.AddStorageBytes(func() (int64, int64) { return 0, 0 }) // nil-safe like the others
}

// The ffmpeg totals are read at scrape time: one cpu and one wall series per kind, and runs.
func TestToolUsage(t *testing.T) {
	m := New()
	kinds := []ToolKind{{Kind: "still", Runs: 3, CPU: 1500 * time.Millisecond, Wall: 2 * time.Second}}
	m.AddToolUsage(func() []ToolKind { return kinds })
	kinds = append(kinds, ToolKind{Kind: "segment", Runs: 1, CPU: 4 * time.Second, Wall: time.Second})
	m.QueueWaited("segment", 30*time.Millisecond)
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		for _, s := range f.GetMetric() {
			key := f.GetName() // then label values, in label name order (clock, kind)
			for _, l := range s.GetLabel() {
				key += "," + l.GetValue()
			}
			switch {
			case s.GetCounter() != nil:
				got[key] = s.GetCounter().GetValue()
			case s.GetHistogram() != nil:
				got[key] = s.GetHistogram().GetSampleSum()
			}
		}
	}
	want := map[string]float64{
		"simvid_ffmpeg_seconds_total,cpu,still": 1.5, "simvid_ffmpeg_seconds_total,wall,still": 2,
		"simvid_ffmpeg_seconds_total,cpu,segment": 4, "simvid_ffmpeg_seconds_total,wall,segment": 1,
		"simvid_ffmpeg_runs_total,still": 3, "simvid_ffmpeg_runs_total,segment": 1,
		"simvid_queue_wait_seconds,segment": 0.03,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
