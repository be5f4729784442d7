package deploytest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// deployDir is deploy/ of this module.
func deployDir(t *testing.T) string {
	t.Helper()
	dir, err := DeployDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// readDeploy returns the text of a file in deploy/.
func readDeploy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir(t), name))
	if err != nil {
		t.Fatalf("deploy/%s: %v", name, err)
	}
	return string(b)
}

// freeAddr returns a loopback address nobody listens on (for a moment, at least).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startNginx runs deploy/nginx.conf on a free loopback port in front of upstreams and
// returns its base URL; the test's end stops it.
func startNginx(t *testing.T, upstreams ...string) string {
	t.Helper()
	testutil.Need(t, "nginx")
	site := NginxSite{Listen: freeAddr(t), Upstreams: upstreams, Dir: t.TempDir()}
	conf, err := WriteNginx(deployDir(t), site)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nginx", site.Args(conf)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	base := "http://" + site.Listen
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(site.Dir, "error.log"))
			t.Fatalf("nginx exited at start: %v\n%s", err, log)
		default:
		}
		if resp, err := http.Get(base + "/nginx-health"); err == nil {
			resp.Body.Close()
			return base
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nginx did not answer on %s within 5 s", site.Listen)
	return ""
}
