package admin

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/simvid/simvid/pkg/metrics"
)

// The sample Grafana dashboard (deploy/grafana-dashboard.json) queries only metrics simvid
// exports, so a renamed metric cannot leave it silently empty.
func TestGrafanaDashboardUsesRealMetrics(t *testing.T) {
	b, err := os.ReadFile("../../deploy/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil || len(d.Panels) < 10 {
		t.Fatalf("dashboard: %v, %d panels", err, len(d.Panels))
	}
	known := map[string]bool{}
	m := metrics.New()
	m.ObserveHTTP("GET", "/", 200, time.Millisecond)
	m.RenderFinished("done", time.Second, 2)
	m.Busy("video", 0)
	m.FFmpegFailed()
	m.AddQueueDepth(func(string) (float64, error) { return 0, nil }, []string{"video"})
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		known[f.GetName()] = true
	}
	descs := make(chan *prometheus.Desc, 20)
	(&Admin{}).Collector().Describe(descs)
	close(descs)
	nameRE := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range descs {
		known[nameRE.FindStringSubmatch(d.String())[1]] = true
	}
	used := regexp.MustCompile(`simvid_[a-z_]+`)
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, name := range used.FindAllString(tg.Expr, -1) {
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_count"), "_sum")
				if !known[name] && !known[base] {
					t.Errorf("panel %q queries %s, which simvid does not export", p.Title, name)
				}
			}
		}
	}
}
