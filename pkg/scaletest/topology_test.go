//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	Shape   shape
	Front   string // nginx, http://127.0.0.1:PORT
	Serves  []*bench.Process
	Workers []*bench.Process
	Direct  []string // each serve's own base URL
	Logs    string   // directory of every process's log
	// RedisURL is a plain redis:// URL of the master, for INFO; in the cluster shape the
	// processes are given the sentinels' URL instead.
	RedisURL string
	// DataDirs and Metrics are each process's data directory and metrics address, serves
	// first (cluster shape; the shared shape has one directory and no metrics listeners).
	DataDirs []string
	Metrics  []string
	S3       *testutil.S3 // cluster shape: the bucket every process keeps its files in
}

// startTopology starts Redis, PostgreSQL, sh.Serves `simvid serve`, sh.Works `simvid work`
// and nginx in front of the serves; the test's end stops all of it.
func startTopology(t *testing.T, sh shape) *topology {
	t.Helper()
	nserve, nwork := sh.Serves, sh.Works
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
	// The logs outlive the test (t.TempDir would remove them with everything else), so
	// that a failed run can be read afterwards.
	logs, err := os.MkdirTemp("", "simvid-scale-logs-")
	if err != nil {
		t.Fatal(err)
	}
	top := &topology{Shape: sh, Logs: logs}
	var redisURL string
	if sh.Cluster {
		sen := redistest.StartSentinels(t)
		sen.WaitReady()
		redisURL, top.RedisURL = sen.URL(), "redis://"+sen.MasterAddr()+"/0"
		top.S3 = testutil.StartS3(t)
	} else {
		redisURL = redistest.StartServer(t).URL()
		top.RedisURL = redisURL
	}
	pg := storetest.StartServer(t)
	var data string // the shared shape's one data directory
	if !sh.Cluster {
		data = t.TempDir()
	}
	env := []string{
		"SIMVID_REDIS_URL=" + redisURL, "SIMVID_DATABASE_URL=" + pg.URL + "&pool_max_conns=6", // 7 processes under the test server's 50 connections
		"SIMVID_TRUSTED_PROXIES=" + nginxAddr, "SIMVID_LOG_LEVEL=warn",
		"SIMVID_LIMITS_MIN_FREE_DISK=64MiB", "SIMVID_RATE_LIMITS_OTHER=" + fmt.Sprint(otherLimit) + "-H",
		"SIMVID_JOBS_SHUTDOWN_GRACE=5s", "SIMVID_RETENTION_CACHE_BYTES=0",
	}
	if sh.Cluster {
		env = append(env, "SIMVID_STORAGE_URL="+top.S3.URL(sh.storagePrefix),
			"AWS_ACCESS_KEY_ID="+top.S3.AccessKey, "AWS_SECRET_ACCESS_KEY="+top.S3.SecretKey, "AWS_SESSION_TOKEN=")
	} else {
		env = append(env, "SIMVID_METRICS_ADDR=off")
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
		dir, penv := data, env
		if sh.Cluster { // a directory of its own, and a metrics listener to read its store bytes from
			dir = t.TempDir()
			maddr, err := bench.FreeAddr()
			if err != nil {
				t.Fatal(err)
			}
			penv = append(slices.Clone(env), "SIMVID_METRICS_ADDR="+maddr)
			top.DataDirs, top.Metrics = append(top.DataDirs, dir), append(top.Metrics, maddr)
		}
		p, err := bench.StartProcess(bin, append(args, "--data-dir", dir), penv, logFile(name))
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
