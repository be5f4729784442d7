package deploytest

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// service is the part of a compose service these checks read.
type service struct {
	Image           string                                `yaml:"image"`
	Build           any                                   `yaml:"build"`
	Command         any                                   `yaml:"command"` // a string or a list
	Ports           []any                                 `yaml:"ports"`
	Volumes         []string                              `yaml:"volumes"`
	Environment     map[string]string                     `yaml:"environment"`
	DependsOn       map[string]struct{ Condition string } `yaml:"depends_on"`
	Restart         string                                `yaml:"restart"`
	StopGracePeriod string                                `yaml:"stop_grace_period"`
	Healthcheck     *struct{ Test []string }              `yaml:"healthcheck"`
}

type composeFile struct {
	Services map[string]service `yaml:"services"`
	Networks map[string]struct {
		IPAM struct{ Config []struct{ Subnet string } } `yaml:"ipam"`
	} `yaml:"networks"`
	Volumes map[string]any `yaml:"volumes"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal([]byte(readDeploy(t, "docker-compose.yml")), &c); err != nil {
		t.Fatalf("deploy/docker-compose.yml: %v", err)
	}
	return c
}

// command joins a compose command, string or list, into one line.
func command(c any) string {
	switch v := c.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i], _ = p.(string)
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"redis", "postgres", "web", "video-worker", "audio-worker", "nginx"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no service %q", name)
		}
		if s.Restart == "" {
			t.Errorf("%s: no restart policy", name)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s: no healthcheck", name)
		}
	}
	want := map[string]string{"web": "serve", "video-worker": "work --queue=video", "audio-worker": "work --queue=audio"}
	for name, cmd := range want {
		s := c.Services[name]
		if got := command(s.Command); !strings.HasPrefix(got, cmd) {
			t.Errorf("%s: command %q, want it to start with %q", name, got, cmd)
		}
		if s.Image != c.Services["web"].Image || s.Build == nil {
			t.Errorf("%s: image %q: every simvid service builds the one image", name, s.Image)
		}
		if !contains(s.Volumes, "media:/data") {
			t.Errorf("%s: volumes %v: the shared media volume must be at /data", name, s.Volumes)
		}
		if s.Environment["SIMVID_DATA_DIR"] != "/data" {
			t.Errorf("%s: SIMVID_DATA_DIR %q", name, s.Environment["SIMVID_DATA_DIR"])
		}
		for _, dep := range []string{"redis", "postgres"} {
			if s.DependsOn[dep].Condition != "service_healthy" {
				t.Errorf("%s: must wait for %s to be healthy", name, dep)
			}
		}
		checkURLs(t, name, s.Environment)
	}
	if _, ok := c.Volumes["media"]; !ok {
		t.Error("no top-level media volume")
	}
	if len(c.Services["web"].Ports) != 0 {
		t.Errorf("web publishes %v: a fixed host port forbids --scale web=N", c.Services["web"].Ports)
	}
	for _, w := range []string{"video-worker", "audio-worker"} {
		d, err := time.ParseDuration(c.Services[w].StopGracePeriod)
		if err != nil || d < 45*time.Second {
			t.Errorf("%s: stop_grace_period %q: want more than the 30 s job grace plus shutdown", w, c.Services[w].StopGracePeriod)
		}
	}
	ng := c.Services["nginx"]
	if !contains(ng.Ports, "80:80") || !contains(ng.Volumes, "./nginx.conf:/etc/nginx/nginx.conf:ro") {
		t.Errorf("nginx: ports %v volumes %v", ng.Ports, ng.Volumes)
	}
	if ng.DependsOn["web"].Condition != "service_healthy" {
		t.Error("nginx must wait for a healthy web: it resolves web:8080 when it starts")
	}
}

// checkURLs: the services reach Redis and PostgreSQL by their compose names, and only
// addresses of the compose network may set X-Forwarded-For.
func checkURLs(t *testing.T, name string, env map[string]string) {
	t.Helper()
	if u, err := url.Parse(env["REDIS_URL"]); err != nil || u.Scheme != "redis" || u.Hostname() != "redis" {
		t.Errorf("%s: REDIS_URL %q", name, env["REDIS_URL"])
	}
	if u, err := url.Parse(defaults(env["DATABASE_URL"])); err != nil || u.Scheme != "postgres" || u.Hostname() != "postgres" {
		t.Errorf("%s: DATABASE_URL %q", name, env["DATABASE_URL"])
	}
	if _, err := netip.ParsePrefix(env["SIMVID_TRUSTED_PROXIES"]); err != nil {
		t.Errorf("%s: SIMVID_TRUSTED_PROXIES %q: %v", name, env["SIMVID_TRUSTED_PROXIES"], err)
	}
}

func TestComposeTrustsExactlyItsNetwork(t *testing.T) {
	c := loadCompose(t)
	net := c.Networks["simvid"].IPAM.Config
	if len(net) != 1 {
		t.Fatalf("network simvid: want one fixed subnet, got %v", net)
	}
	if got := c.Services["web"].Environment["SIMVID_TRUSTED_PROXIES"]; got != net[0].Subnet {
		t.Errorf("SIMVID_TRUSTED_PROXIES %q, network subnet %q: they must agree", got, net[0].Subnet)
	}
}

func TestComposeRedisNeverEvicts(t *testing.T) {
	cmd := command(loadCompose(t).Services["redis"].Command)
	for _, want := range []string{"--maxmemory-policy noeviction", "--appendonly yes"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("redis command %q lacks %q", cmd, want)
		}
	}
	if strings.Contains(cmd, "lru") || strings.Contains(cmd, "lfu") {
		t.Errorf("redis command %q: an evicting policy drops queued jobs", cmd)
	}
}

// defaults expands ${VAR:-default} as compose does when VAR is unset.
func defaults(s string) string {
	return regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*(:-([^}]*))?\}`).ReplaceAllString(s, "$2")
}

func contains[T any](list []T, s string) bool {
	for _, x := range list {
		if v, ok := any(x).(string); ok && v == s {
			return true
		}
	}
	return false
}

// The cluster file is the no-shared-disk shape: every simvid container keeps its own
// scratch directory, media go to the bucket and Redis is found through the sentinels.
func TestClusterComposeSharesNoDisk(t *testing.T) {
	var c composeFile
	if err := yaml.Unmarshal([]byte(readDeploy(t, "docker-compose.cluster.yml")), &c); err != nil {
		t.Fatalf("deploy/docker-compose.cluster.yml: %v", err)
	}
	for _, name := range []string{"redis-master", "redis-replica", "sentinel-1", "sentinel-2", "sentinel-3", "postgres", "minio", "bucket", "web", "video-worker", "audio-worker", "nginx"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("no service %q", name)
		}
	}
	for _, name := range []string{"web", "video-worker", "audio-worker"} {
		s := c.Services[name]
		if len(s.Volumes) != 0 {
			t.Errorf("%s: volumes %v: no simvid container may share a directory with another", name, s.Volumes)
		}
		u, err := url.Parse(s.Environment["SIMVID_STORAGE_URL"])
		if err != nil || u.Scheme != "s3" || u.Host == "" || u.Query().Get("endpoint") == "" {
			t.Errorf("%s: SIMVID_STORAGE_URL %q: want s3://BUCKET/PREFIX?endpoint=...", name, s.Environment["SIMVID_STORAGE_URL"])
		}
		r, err := url.Parse(s.Environment["REDIS_URL"])
		if err != nil || r.Scheme != "redis+sentinel" || len(strings.Split(r.Host, ",")) != 3 {
			t.Errorf("%s: REDIS_URL %q: want redis+sentinel:// with the three sentinels", name, s.Environment["REDIS_URL"])
		}
		if s.DependsOn["bucket"].Condition != "service_completed_successfully" {
			t.Errorf("%s: must wait for the bucket to be made", name)
		}
	}
	for _, name := range []string{"redis-master", "redis-replica"} {
		if cmd := command(c.Services[name].Command); !strings.Contains(cmd, "--maxmemory-policy noeviction") {
			t.Errorf("%s: command %q: an evicting policy drops queued jobs", name, cmd)
		}
	}
	if cmd := command(c.Services["redis-replica"].Command); !strings.Contains(cmd, "--replicaof redis-master 6379") {
		t.Errorf("redis-replica: command %q does not replicate the master", cmd)
	}
	if cmd := command(c.Services["sentinel-2"].Command); !strings.Contains(cmd, "sentinel monitor simvid redis-master 6379 2") {
		t.Errorf("sentinel: command %q: want a quorum of 2 of 3 watching the master as simvid", cmd)
	}
}
