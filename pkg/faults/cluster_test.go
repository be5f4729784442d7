package faults

import (
	"context"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// binary builds simvid once for the package (testutil.SimvidBinary, as pkg/e2e does).
func binary(t *testing.T) string {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe", "redis-server")
	return testutil.SimvidBinary(t)
}

// cluster is one scaled simvid on loopback: a real redis-server, a real PostgreSQL, one
// shared data directory, and any number of `simvid serve` and `simvid work` processes.
type cluster struct {
	t     *testing.T
	bin   string
	Redis *redistest.Server
	PG    *pgServer
	Data  string
	// Dirs gives a process (by name) a data directory of its own instead of Data: hosts
	// that share no directory, over an object store.
	Dirs map[string]string
	own  bool // every process not in Dirs gets an empty directory of its own (storeCluster)
	env  []string
}

// newCluster starts Redis and PostgreSQL. env is added to every simvid process's environment
// after the fast test settings (2 s leases, a 500 ms reconciler, 1 s retry backoff).
func newCluster(t *testing.T, data string, env ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: binary(t), Redis: redistest.StartServer(t), PG: startPostgres(t), Data: data, Dirs: map[string]string{}}
	if c.Data == "" {
		c.Data = t.TempDir()
	}
	c.env = append([]string{
		"SIMVID_REDIS_URL=" + c.Redis.URL(), "SIMVID_DATABASE_URL=" + c.PG.URL(),
		"SIMVID_JOBS_LEASE_TTL=2s", "SIMVID_JOBS_RECONCILE_INTERVAL=500ms", "SIMVID_JOBS_BACKOFF=1ms",
		"SIMVID_RATE_LIMITS_ENABLED=false", "SIMVID_LIMITS_UNFINISHED_RENDERS=1000",
		"SIMVID_LIMITS_MIN_FREE_DISK=1MiB", "SIMVID_METRICS_ADDR=off", "SIMVID_LOG_LEVEL=info",
		"SIMVID_JOBS_SHUTDOWN_GRACE=2s",
	}, env...)
	return c
}

// proc is one simvid process of the cluster.
type proc struct {
	*bench.Process
	Name string
	URL  string // serve only
	Log  *procLog
}

func (c *cluster) start(name string, args []string, env []string) *proc {
	c.t.Helper()
	p := &proc{Name: name, Log: &procLog{}}
	data := c.Data
	if d, ok := c.Dirs[name]; ok {
		data = d
	} else if c.own {
		data = c.t.TempDir()
		c.Dirs[name] = data
	}
	bp, err := bench.StartProcess(c.bin, append(args, "--data-dir", data), append(append([]string{}, c.env...), env...), p.Log)
	if err != nil {
		c.t.Fatal(err)
	}
	p.Process = bp
	c.t.Cleanup(func() {
		_ = p.Stop(10 * time.Second)
		if c.t.Failed() {
			c.t.Logf("--- end of %s's log ---\n%s", name, p.Log.Tail(3000))
		}
	})
	return p
}

// Serve starts `simvid serve` on a free port and waits for /readyz.
func (c *cluster) Serve(name string, env ...string) *proc {
	c.t.Helper()
	addr, err := bench.FreeAddr()
	if err != nil {
		c.t.Fatal(err)
	}
	p := c.start(name, []string{"serve", "--addr", addr}, env)
	p.URL = "http://" + addr
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if err := bench.WaitReady(ctx, p.URL, p.Process); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, p.Log.Tail(3000))
	}
	return p
}

// Work starts `simvid work` on both queues, one job at a time each, and waits until it says
// it has started.
func (c *cluster) Work(name string, env ...string) *proc {
	c.t.Helper()
	p := c.start(name, []string{"work", "--queue=video,audio", "--concurrency=1"}, env)
	for end := time.Now().Add(45 * time.Second); !p.Log.Has("simvid started"); time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.Done():
			c.t.Fatalf("%s exited at start: %v\n%s", name, p.Err(), p.Log.Tail(3000))
		default:
		}
		if time.Now().After(end) {
			c.t.Fatalf("%s did not start within 45 s\n%s", name, p.Log.Tail(3000))
		}
	}
	return p
}
