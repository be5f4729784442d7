package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// TestDefaultMetricsOnOneHost: `simvid serve` and three `simvid work` on one host, all with
// the default metrics address, share a Redis and a PostgreSQL. Every process starts (before,
// the second one exited with "address already in use"), each logs its own metrics address,
// a render completes, and each process's /metrics answers at the address it logged: the
// web server's counts the requests, exactly one worker counts the render. A metrics address
// written out that another process holds stops a fifth process with a clear error.
func TestDefaultMetricsOnOneHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := newCluster(t, "", "SIMVID_METRICS_ADDR=") // empty counts as unset: the default, as with no flags
	procs := []*proc{c.Serve("serve"), c.Work("work-1"), c.Work("work-2"), c.Work("work-3")}
	addrs := map[string]string{}
	seen := map[string]string{}
	for _, p := range procs {
		addr := metricsAddrLogged(t, p)
		if other, dup := seen[addr]; dup {
			t.Fatalf("%s and %s both logged metrics on %s", other, p.Name, addr)
		}
		seen[addr], addrs[p.Name] = p.Name, addr
		t.Logf("saw: %s (pid %d) metrics listening on %s", p.Name, p.Pid(), addr)
	}

	s := show{n: 3, w: 320, h: 240, secs: 1, res: "640x480"}
	id := project(t, ctx, procs[0].URL, s)
	api := bench.NewClient(procs[0].URL)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("render %s ended %s", r.ID, done.State)
	}
	checkDownload(t, ctx, procs[0].URL, r.ID, s)

	web := scrape(t, addrs["serve"])
	if !regexp.MustCompile(`simvid_http_request_duration_seconds_count\{method="POST",route="[^"]*renders[^"]*",status="20\d"\} 1`).MatchString(web) {
		t.Errorf("serve's metrics at %s do not count the render request:\n%s", addrs["serve"], grepLines(web, "simvid_http_request_duration_seconds_count"))
	}
	rendered := 0
	for _, p := range procs[1:] {
		n := metricValue(t, scrape(t, addrs[p.Name]), `simvid_renders_total{outcome="done"}`)
		t.Logf("saw: %s's metrics at %s count %d done render(s)", p.Name, addrs[p.Name], n)
		rendered += n
	}
	if rendered != 1 {
		t.Errorf("the workers' metrics count %d done renders in all, want 1", rendered)
	}

	// An address written out is taken as given: busy means the process stops and says why.
	busy := c.start("work-busy", []string{"work", "--metrics-addr", addrs["serve"]}, nil)
	select {
	case <-busy.Done():
	case <-time.After(45 * time.Second):
		t.Fatalf("work with --metrics-addr %s (held by serve) still runs after 45 s", addrs["serve"])
	}
	if out := busy.Log.String(); !strings.Contains(out, "metrics_addr "+addrs["serve"]+" is in use by another process") {
		t.Fatalf("work with a busy --metrics-addr did not say why it stopped:\n%s", busy.Log.Tail(2000))
	}
	t.Logf("saw: work --metrics-addr %s exited: %v", addrs["serve"], busy.Err())
}

// metricsAddrLogged is the address in p's "metrics listening on" log line.
func metricsAddrLogged(t *testing.T, p *proc) string {
	t.Helper()
	if !p.Log.Wait("metrics listening on", 10*time.Second) {
		t.Fatalf("%s logged no \"metrics listening on\"\n%s", p.Name, p.Log.Tail(3000))
	}
	sc := bufio.NewScanner(strings.NewReader(p.Log.String()))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "metrics listening on" && line.Addr != "" {
			return line.Addr
		}
	}
	t.Fatalf("%s: no JSON \"metrics listening on\" line with an addr\n%s", p.Name, p.Log.Tail(3000))
	return ""
}

// scrape reads /metrics at addr.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("metrics at %s: %v", addr, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("metrics at %s: %s", addr, res.Status)
	}
	return string(b)
}

// metricValue is the value of the series named exactly by series (name and labels).
func metricValue(t *testing.T, text, series string) int {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return int(f)
		}
	}
	t.Fatalf("no series %s in\n%s", series, text)
	return 0
}

func grepLines(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
