package deploytest

import (
	"strings"
	"testing"
)

func TestRenderNginx(t *testing.T) {
	src := readDeploy(t, "nginx.conf")
	site := NginxSite{Listen: "127.0.0.1:9000", Upstreams: []string{"127.0.0.1:9001", "127.0.0.1:9002"}, Dir: "/tmp/x"}
	out, err := RenderNginx([]byte(src), site)
	if err != nil {
		t.Fatal(err)
	}
	conf := string(out)
	for _, want := range []string{
		"server 127.0.0.1:9001 max_fails=3 fail_timeout=10s;", "server 127.0.0.1:9002 max_fails=3 fail_timeout=10s;",
		"listen 127.0.0.1:9000;", `pid "/tmp/x/nginx.pid";`, `error_log "/tmp/x/error.log" info;`,
		`access_log "/tmp/x/access.log" simvid;`, `proxy_temp_path "/tmp/x/proxy_temp";`,
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("rendered conf lacks %q", want)
		}
	}
	for _, gone := range []string{"server web:8080", "listen 80;", "/dev/stdout"} {
		if strings.Contains(conf, gone) {
			t.Errorf("rendered conf still has %q", gone)
		}
	}
	// Everything else is the deployed text.
	if !strings.Contains(conf, "limit_req zone=simvid_req burst=5 nodelay;") {
		t.Error("rendered conf lost the locations")
	}

	bad := []struct {
		name string
		conf string
		site NginxSite
	}{
		{"no markers", strings.ReplaceAll(src, UpstreamsMarker, "#"), site},
		{"no listen", strings.ReplaceAll(src, "listen 80;", ""), site},
		{"no upstreams", src, NginxSite{Listen: site.Listen, Dir: site.Dir}},
		{"relative dir", src, NginxSite{Listen: site.Listen, Upstreams: site.Upstreams, Dir: "x"}},
	}
	for _, c := range bad {
		if _, err := RenderNginx([]byte(c.conf), c.site); err == nil {
			t.Errorf("%s: rendered without an error", c.name)
		}
	}
}
