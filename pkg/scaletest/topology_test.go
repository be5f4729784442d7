//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/deploytest"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// nginxAddr is the address nginx reaches simvid from (proxy_bind): the only one simvid trusts
// for X-Forwarded-For. Load clients never use it.
const nginxAddr = "127.0.0.2"

// topology is everything the scale test started.
type topology struct {
	Front   string // nginx, http://127.0.0.1:PORT
	Serves  []*bench.Process
	Workers []*bench.Process
	Direct  []string // each serve's own base URL
	Logs    string   // directory of every process's log
	Redis   *redistest.Server
	stopped bool
}

// startTopology starts Redis, PostgreSQL, nserve `simvid serve`, nwork `simvid work` and
// nginx in front of the serves; the test's end stops all of it.
func startTopology(t *testing.T, nserve, nwork int) *topology {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe", "redis-server", "nginx")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := testutil.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := testutil.BuildBinary(ctx, root, filepath.Join(t.TempDir(), "simvid"), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	top := &topology{Logs: t.TempDir(), Redis: redistest.StartServer(t)}
	pg := storetest.StartServer(t)
	data := t.TempDir()
	env := []string{
		"SIMVID_REDIS_URL=" + top.Redis.URL(), "SIMVID_DATABASE_URL=" + pg.URL + "&pool_max_conns=6", // 7 processes under the test server's 50 connections
		"SIMVID_TRUSTED_PROXIES=" + nginxAddr, "SIMVID_METRICS_ADDR=off", "SIMVID_LOG_LEVEL=warn",
		"SIMVID_LIMITS_MIN_FREE_DISK=64MiB", "SIMVID_RATE_LIMITS_OTHER=" + fmt.Sprint(otherLimit) + "-H",
		"SIMVID_JOBS_SHUTDOWN_GRACE=5s", "SIMVID_RETENTION_CACHE_BYTES=0",
	}
	logFile := func(name string) *os.File {
		f, err := os.Create(filepath.Join(top.Logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	start := func(name string, args ...string) *bench.Process {
		p, err := bench.StartProcess(bin, append(args, "--data-dir", data), env, logFile(name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Stop(15 * time.Second) })
		return p
	}
	for i := range nserve {
		addr, err := bench.FreeAddr()
		if err != nil {
			t.Fatal(err)
		}
		p := start(fmt.Sprintf("serve-%d", i+1), "serve", "--addr", addr)
		if err := bench.WaitReady(ctx, "http://"+addr, p); err != nil {
			t.Fatalf("serve-%d: %v (log in %s)", i+1, err, top.Logs)
		}
		top.Serves, top.Direct = append(top.Serves, p), append(top.Direct, "http://"+addr)
	}
	for i := range nwork {
		top.Workers = append(top.Workers, start(fmt.Sprintf("work-%d", i+1), "work", "--queue=video,audio", "--concurrency=1"))
	}
	top.Front = startFront(t, ctx, top)
	time.Sleep(time.Second) // workers connect and register their pools
	for i, w := range top.Workers {
		select {
		case <-w.Done():
			t.Fatalf("work-%d exited at start: %v (log in %s)", i+1, w.Err(), top.Logs)
		default:
		}
	}
	return top
}

// startFront runs the deployed nginx.conf with the serves as upstreams, reaching them from
// nginxAddr (proxy_bind) so that simvid can trust exactly that address.
func startFront(t *testing.T, ctx context.Context, top *topology) string {
	t.Helper()
	deploy, err := deploytest.DeployDir()
	if err != nil {
		t.Fatal(err)
	}
	listen, err := bench.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	site := deploytest.NginxSite{Listen: listen, Dir: t.TempDir()}
	for _, d := range top.Direct {
		site.Upstreams = append(site.Upstreams, strings.TrimPrefix(d, "http://"))
	}
	conf, err := deploytest.WriteNginx(deploy, site)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	bound := strings.Replace(string(text), "proxy_http_version 1.1;", "proxy_http_version 1.1;\n        proxy_bind "+nginxAddr+";", 1)
	if bound == string(text) {
		t.Fatal("the rendered nginx.conf has no proxy_http_version line to put proxy_bind after")
	}
	if err := os.WriteFile(conf, []byte(bound), 0o644); err != nil {
		t.Fatal(err)
	}
	base := "http://" + listen
	p, err := bench.StartNginx(ctx, site.Args(conf), base, nil, 10*time.Second)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(site.Dir, "error.log"))
		t.Fatalf("%v\n%s", err, log)
	}
	t.Cleanup(func() { _ = p.Stop(5 * time.Second) })
	return base
}
