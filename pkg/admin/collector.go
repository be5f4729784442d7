package admin

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/simvid/simvid/pkg/jobs"
)

// Collector exports the dashboard's stored numbers to Prometheus at scrape time: projects,
// files and bytes by kind, unfinished renders, queue latency and job sets, free disk.
// Render outcomes, render time and realtime factor are counted by the workers (pkg/metrics).
type Collector struct {
	a                                    *Admin
	projects, files, bytes, unfinished   *prometheus.Desc
	latency, jobSets, diskFree, adminSes *prometheus.Desc
}

// Collector returns the admin's Prometheus collector; register it on the metrics registry.
func (a *Admin) Collector() *Collector {
	return &Collector{
		a:          a,
		projects:   prometheus.NewDesc("simvid_projects", "Projects stored.", nil, nil),
		files:      prometheus.NewDesc("simvid_stored_files", "Files stored, by kind (image, clip, audio, render).", []string{"kind"}, nil),
		bytes:      prometheus.NewDesc("simvid_stored_bytes", "Bytes stored, by kind (image, clip, audio, render).", []string{"kind"}, nil),
		unfinished: prometheus.NewDesc("simvid_renders_unfinished", "Renders queued or running.", nil, nil),
		latency:    prometheus.NewDesc("simvid_queue_latency_seconds", "Age of the oldest waiting job, by queue.", []string{"queue"}, nil),
		jobSets:    prometheus.NewDesc("simvid_queue_jobs", "Jobs waiting to retry, scheduled, or dead, by queue.", []string{"queue", "set"}, nil),
		diskFree:   prometheus.NewDesc("simvid_disk_free_bytes", "Free space in the data directory.", nil, nil),
		adminSes:   prometheus.NewDesc("simvid_admin_enabled", "1 when the admin is on.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.projects, c.files, c.bytes, c.unfinished, c.latency, c.jobSets, c.diskFree, c.adminSes} {
		ch <- d
	}
}

// Collect implements prometheus.Collector; a part that cannot be read is left out.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a := c.a
	on := 0.0
	if a.Enabled() {
		on = 1
	}
	ch <- prometheus.MustNewConstMetric(c.adminSes, prometheus.GaugeValue, on)
	if n, err := a.Service.CountProjects(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.projects, prometheus.GaugeValue, float64(n))
	}
	if u, err := a.Service.StoredUsage(ctx); err == nil {
		for _, kind := range []string{"image", "clip", "audio", "render"} {
			ch <- prometheus.MustNewConstMetric(c.files, prometheus.GaugeValue, float64(u[kind].Count), kind)
			ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(u[kind].Bytes), kind)
		}
	}
	if n, err := a.Service.CountUnfinishedRenders(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.unfinished, prometheus.GaugeValue, float64(n))
	}
	if free, err := a.Service.DiskFree(); err == nil {
		ch <- prometheus.MustNewConstMetric(c.diskFree, prometheus.GaugeValue, float64(free))
	}
	for _, q := range jobs.Queues {
		if info, err := a.inspect.Queue(q); err == nil {
			ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, info.Latency.Seconds(), q)
		}
		for _, set := range []jobs.Set{jobs.SetRetry, jobs.SetScheduled, jobs.SetDead} {
			if _, n, err := a.inspect.Jobs(q, set, 1); err == nil {
				ch <- prometheus.MustNewConstMetric(c.jobSets, prometheus.GaugeValue, float64(n), q, string(set))
			}
		}
	}
}
