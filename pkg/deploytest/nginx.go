package deploytest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The markers around the upstream server lines of deploy/nginx.conf.
const (
	UpstreamsMarker = "# simvid:upstreams"
	EndMarker       = "# simvid:end"
)

// NginxSite says where a rendering of deploy/nginx.conf runs.
type NginxSite struct {
	Listen    string   // address nginx listens on, e.g. "127.0.0.1:18080"
	Upstreams []string // host:port of each `simvid serve`
	Dir       string   // absolute; nginx's prefix, holding the pid file, logs and temp files
}

// tempPaths are the directories nginx writes request and response bodies to.
var tempPaths = []string{"client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path",
	"uwsgi_temp_path", "scgi_temp_path"}

// RenderNginx rewrites the text of deploy/nginx.conf for s: the upstream servers between
// the markers (keeping the parameters of the first one, such as max_fails), the listen
// address, and the pid file, logs and temp directories, which move into s.Dir. Everything
// else (limits, locations, error pages) is left exactly as deployed.
func RenderNginx(conf []byte, s NginxSite) ([]byte, error) {
	if s.Listen == "" || len(s.Upstreams) == 0 || !filepath.IsAbs(s.Dir) {
		return nil, fmt.Errorf("deploytest: render nginx: need a listen address, upstreams and an absolute dir (got %+v)", s)
	}
	lines := strings.Split(string(conf), "\n")
	var out []string
	inUpstreams, sawUpstreams, sawEnd, sawListen, sawHTTP := false, false, false, false, false
	params := ""
	for _, line := range lines {
		trim := strings.TrimSpace(line)
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		switch {
		case strings.HasPrefix(trim, UpstreamsMarker):
			inUpstreams, sawUpstreams = true, true
		case strings.HasPrefix(trim, EndMarker) && inUpstreams:
			inUpstreams, sawEnd = false, true
			for _, u := range s.Upstreams {
				out = append(out, indent+"server "+u+params+";")
			}
		case inUpstreams && strings.HasPrefix(trim, "server "):
			if params == "" {
				if f := strings.Fields(strings.TrimSuffix(trim, ";")); len(f) > 2 {
					params = " " + strings.Join(f[2:], " ")
				}
			}
			continue // replaced at the end marker
		case directive(trim) == "listen":
			if !sawListen {
				out = append(out, indent+"listen "+s.Listen+";")
			}
			sawListen = true
			continue
		case directive(trim) == "error_log":
			line = indent + "error_log " + quote(filepath.Join(s.Dir, "error.log")) + " info;"
		case directive(trim) == "access_log" && !strings.HasPrefix(trim, "access_log off"):
			f := strings.Fields(strings.TrimSuffix(trim, ";"))
			line = indent + "access_log " + quote(filepath.Join(s.Dir, "access.log")) + " " + strings.Join(f[2:], " ") + ";"
		case directive(trim) == "pid" || slices.Contains(tempPaths, directive(trim)):
			continue // set below
		case trim == "http {":
			sawHTTP = true
			out = append(out, line)
			for _, d := range tempPaths {
				out = append(out, indent+"    "+d+" "+quote(filepath.Join(s.Dir, strings.TrimSuffix(d, "_path")))+";")
			}
			continue
		}
		out = append(out, line)
	}
	if !sawUpstreams || !sawEnd || !sawListen || !sawHTTP {
		return nil, fmt.Errorf("deploytest: render nginx: the file lacks the upstream markers (%q ... %q), a listen line or an http block",
			UpstreamsMarker, EndMarker)
	}
	head := "# Rendered from deploy/nginx.conf by deploytest.RenderNginx.\npid " + quote(filepath.Join(s.Dir, "nginx.pid")) + ";\n"
	return append([]byte(head), []byte(strings.Join(out, "\n"))...), nil
}

// WriteNginx renders deployDir/nginx.conf for s into s.Dir/nginx.conf and returns its path.
func WriteNginx(deployDir string, s NginxSite) (string, error) {
	src, err := os.ReadFile(filepath.Join(deployDir, "nginx.conf"))
	if err != nil {
		return "", fmt.Errorf("deploytest: %w", err)
	}
	conf, err := RenderNginx(src, s)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.Dir, "nginx.conf")
	if err := os.WriteFile(path, conf, 0o644); err != nil {
		return "", fmt.Errorf("deploytest: %w", err)
	}
	return path, nil
}

// Args are nginx's arguments to run conf in the foreground as one process, with s.Dir as
// its prefix. One process, so that run as root it still writes its temp files in s.Dir
// (nginx's worker processes would switch to an unprivileged user).
func (s NginxSite) Args(conf string) []string {
	return []string{"-p", s.Dir + "/", "-c", conf, "-e", filepath.Join(s.Dir, "error.log"),
		"-g", "daemon off; master_process off;"}
}

// DeployDir finds deploy/ in the module that holds the working directory.
func DeployDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("deploytest: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "deploy"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("deploytest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// directive is the first word of a configuration line.
func directive(trim string) string {
	f := strings.Fields(trim)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], ";")
}

func quote(path string) string { return `"` + path + `"` }
