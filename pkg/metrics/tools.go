package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ToolKind is what the ffmpeg and ffprobe runs of one kind took so far (ffmpeg.Usage).
type ToolKind struct {
	Kind string
	Runs int64
	CPU  time.Duration // the processes' own user+sys time
	Wall time.Duration
}

var (
	toolSecondsDesc = prometheus.NewDesc("simvid_ffmpeg_seconds_total",
		"Seconds of ffmpeg and ffprobe runs by kind: clock=cpu is their own user+sys time, clock=wall start to exit.",
		[]string{"kind", "clock"}, nil)
	toolRunsDesc = prometheus.NewDesc("simvid_ffmpeg_runs_total",
		"ffmpeg and ffprobe runs by kind.", []string{"kind"}, nil)
)

// toolCollector reads the totals at scrape time, so that the runner needs no metrics.
type toolCollector struct{ read func() []ToolKind }

func (c toolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- toolSecondsDesc
	ch <- toolRunsDesc
}

func (c toolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, k := range c.read() {
		ch <- prometheus.MustNewConstMetric(toolSecondsDesc, prometheus.CounterValue, k.CPU.Seconds(), k.Kind, "cpu")
		ch <- prometheus.MustNewConstMetric(toolSecondsDesc, prometheus.CounterValue, k.Wall.Seconds(), k.Kind, "wall")
		ch <- prometheus.MustNewConstMetric(toolRunsDesc, prometheus.CounterValue, float64(k.Runs), k.Kind)
	}
}

// AddToolUsage registers simvid_ffmpeg_seconds_total{kind,clock} and
// simvid_ffmpeg_runs_total{kind}, read from read at scrape time. Call it once.
func (m *Metrics) AddToolUsage(read func() []ToolKind) {
	if m != nil {
		m.Registry.MustRegister(toolCollector{read})
	}
}

// QueueWaited records how long a job waited between being queued and a worker starting it
// (job: "render", "segment").
func (m *Metrics) QueueWaited(job string, d time.Duration) {
	if m != nil && d >= 0 {
		m.queueWait.WithLabelValues(job).Observe(d.Seconds())
	}
}
