// Package metrics defines simvid's Prometheus metrics and serves them on their own address.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/simvid/simvid/pkg/simvid"
)

// Metrics holds every metric of one process. Nil-safe methods let tests and the render CLI
// run without them.
type Metrics struct {
	Registry      *prometheus.Registry
	httpDuration  *prometheus.HistogramVec
	renders       *prometheus.CounterVec
	renderSeconds prometheus.Histogram
	realtime      prometheus.Histogram
	busy          *prometheus.GaugeVec
	ffmpegFails   prometheus.Counter
	queueWait     *prometheus.HistogramVec
}

// New registers the metrics on a fresh registry, with the Go and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "simvid_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"method", "route", "status"}),
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simvid_renders_total", Help: "Finished renders by outcome (done, failed, canceled).",
		}, []string{"outcome"}),
		renderSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "simvid_render_seconds", Help: "Wall time of successful renders, from start to done.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		realtime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "simvid_render_realtime_factor", Help: "Seconds of video made per second of rendering.",
			Buckets: []float64{.25, .5, 1, 2, 4, 8, 16, 32},
		}),
		busy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "simvid_worker_busy", Help: "Jobs running now in this process, by queue.",
		}, []string{"queue"}),
		ffmpegFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "simvid_ffmpeg_failures_total", Help: "ffmpeg runs that failed.",
		}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "simvid_queue_wait_seconds", Help: "Time a job waited in its queue before a worker started it, by job.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"job"}),
	}
	for _, outcome := range []string{"done", "failed", "canceled"} {
		m.renders.WithLabelValues(outcome) // every outcome is a series from the start
	}
	r.MustRegister(m.httpDuration, m.renders, m.renderSeconds, m.realtime, m.busy, m.ffmpegFails, m.queueWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveHTTP records one request.
func (m *Metrics) ObserveHTTP(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.httpDuration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// RenderFinished records a render's outcome; took and video seconds only count for done.
func (m *Metrics) RenderFinished(outcome simvid.RenderState, took time.Duration, videoSeconds float64) {
	if m == nil {
		return
	}
	m.renders.WithLabelValues(string(outcome)).Inc()
	if outcome == simvid.StateDone && took > 0 {
		m.renderSeconds.Observe(took.Seconds())
		m.realtime.Observe(videoSeconds / took.Seconds())
	}
}

// Busy adds delta to the running jobs of a queue.
func (m *Metrics) Busy(queue string, delta float64) {
	if m != nil {
		m.busy.WithLabelValues(queue).Add(delta)
	}
}

// FFmpegFailed counts a failed ffmpeg run.
func (m *Metrics) FFmpegFailed() {
	if m != nil {
		m.ffmpegFails.Inc()
	}
}

// AddQueueDepth registers a gauge read at scrape time.
func (m *Metrics) AddQueueDepth(depth func(queue string) (float64, error), queues []string) {
	for _, q := range queues {
		q := q
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "simvid_queue_depth", Help: "Jobs waiting in a queue.", ConstLabels: prometheus.Labels{"queue": q},
		}, func() float64 {
			v, err := depth(q)
			if err != nil {
				return -1
			}
			return v
		}))
	}
}

// AddStorageBytes registers simvid_storage_bytes_total{direction="up"|"down"}, the object
// bytes this process sent to and read from the object store, read from stats at scrape
// time (objstore.Bucket.Stats). Call it once, when storage.url names a bucket.
func (m *Metrics) AddStorageBytes(stats func() (up, down int64)) {
	if m == nil {
		return
	}
	for _, dir := range []string{"up", "down"} {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "simvid_storage_bytes_total", Help: "Object bytes sent to (up) and read from (down) the object store.",
			ConstLabels: prometheus.Labels{"direction": dir},
		}, func() float64 {
			up, down := stats()
			if dir == "up" {
				return float64(up)
			}
			return float64(down)
		}))
	}
}

// Serve serves /metrics on addr until ctx ends. It returns the bound address at once.
func (m *Metrics) Serve(ctx context.Context, addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	return m.ServeOn(ctx, ln), nil
}

// ServeOn serves /metrics on ln until ctx ends and returns ln's address.
func (m *Metrics) ServeOn(ctx context.Context, ln net.Listener) string {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends with ErrServerClosed on shutdown
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	return ln.Addr().String()
}

// ListenFirstFree binds host:port, or the next port up when that one is in use, trying
// tries ports in all: several simvid processes on one host with default settings each get
// a metrics listener of their own. Any error but "address in use" ends the search.
func ListenFirstFree(host string, port, tries int) (net.Listener, error) {
	var err error
	for p := port; p < port+tries && p <= 65535; p++ {
		var ln net.Listener
		ln, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return ln, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("ports %d to %d on %s are all in use: %w", port, port+tries-1, host, err)
}
