package deploytest

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/testutil"
)

// A real redis-server accepts deploy/redis.conf and runs with what it promises.
func TestRedisConf(t *testing.T) {
	testutil.Need(t, "redis-server")
	conf := filepath.Join(deployDir(t), "redis.conf")
	addr, dir := freeAddr(t), t.TempDir()
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command("redis-server", conf, "--bind", host, "--port", port, "--dir", dir,
		"--daemonize", "no", "--save", "")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("redis-server output:\n%s", log.String())
		}
	})
	var conn redis.Conn
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if conn, err = redis.Dial("tcp", addr); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("redis-server with deploy/redis.conf did not start: %v", err)
	}
	defer conn.Close()
	for key, want := range map[string]string{
		"maxmemory-policy": "noeviction", "appendonly": "yes", "appendfsync": "everysec",
		"maxmemory": "536870912",
	} {
		kv, err := redis.Strings(conn.Do("CONFIG", "GET", key))
		if err != nil || len(kv) != 2 || kv[1] != want {
			t.Errorf("CONFIG GET %s = %v (%v), want %s", key, kv, err, want)
		}
	}
}
