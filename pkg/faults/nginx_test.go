package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/deploytest"
	"github.com/simvid/simvid/pkg/testutil"
)

// nginxFront runs the real deploy/nginx.conf on a free loopback port in front of the serve
// instances and returns its base URL and its directory (logs).
func nginxFront(t *testing.T, serves ...*proc) (string, string) {
	t.Helper()
	testutil.Need(t, "nginx")
	deploy, err := deploytest.DeployDir()
	if err != nil {
		t.Fatal(err)
	}
	listen, err := bench.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	site := deploytest.NginxSite{Listen: listen, Dir: t.TempDir()}
	for _, s := range serves {
		site.Upstreams = append(site.Upstreams, strings.TrimPrefix(s.URL, "http://"))
	}
	conf, err := deploytest.WriteNginx(deploy, site)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	base := "http://" + listen
	p, err := bench.StartNginx(ctx, site.Args(conf), base, nil, 10*time.Second)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(site.Dir, "error.log"))
		t.Fatalf("%v\n%s", err, log)
	}
	t.Cleanup(func() { _ = p.Stop(5 * time.Second) })
	return base, site.Dir
}

// accessEntry is one line of the JSON access log of deploy/nginx.conf.
type accessEntry struct {
	RequestID      string `json:"request_id"`
	Method         string `json:"method"`
	URI            string `json:"uri"`
	Status         int    `json:"status"`
	Upstream       string `json:"upstream"`
	UpstreamStatus string `json:"upstream_status"`
}

func accessLog(t *testing.T, dir string) []accessEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []accessEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e accessEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out
}
