package config

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "simvid.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t *testing.T, yamlBody string, envs map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	BindFlags(fs)
	if yamlBody != "" {
		args = append([]string{"--config", writeYAML(t, yamlBody)}, args...)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse flags: %v", err)
	}
	return Load(fs, env(envs))
}

const precedenceYAML = `
addr: 127.0.0.1:7000
redis_url: redis://file:6379/0
database_url: postgres://file/db
log: {level: warn}
workers: {video: 3, audio: 2}
limits: {file_bytes: 10MB}
jobs: {backoff: 250ms}
admin: {password: from-file}
trusted_proxies: [10.0.0.0/8]
`

func TestPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		args []string
		get  func(*Config) any
		want any
	}{
		{"addr default", "", nil, nil, func(c *Config) any { return c.Addr }, ":8080"},
		{"addr yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Addr }, "127.0.0.1:7000"},
		{"addr PORT beats yaml", precedenceYAML, map[string]string{"PORT": "9000"}, nil, func(c *Config) any { return c.Addr }, ":9000"},
		{"addr SIMVID_ADDR beats PORT", precedenceYAML, map[string]string{"PORT": "9000", "SIMVID_ADDR": ":9100"}, nil, func(c *Config) any { return c.Addr }, ":9100"},
		{"addr empty SIMVID_ADDR is unset", "", map[string]string{"SIMVID_ADDR": "", "PORT": "9000"}, nil, func(c *Config) any { return c.Addr }, ":9000"},
		{"addr flag beats env", precedenceYAML, map[string]string{"SIMVID_ADDR": ":9100"}, []string{"--addr", ":9200"}, func(c *Config) any { return c.Addr }, ":9200"},
		{"redis yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.RedisURL }, "redis://file:6379/0"},
		{"redis alias beats yaml", precedenceYAML, map[string]string{"REDIS_URL": "redis://alias:1/0"}, nil, func(c *Config) any { return c.RedisURL }, "redis://alias:1/0"},
		{"redis SIMVID beats alias", "", map[string]string{"REDIS_URL": "redis://alias:1/0", "SIMVID_REDIS_URL": "redis://simvid:2/0"}, nil, func(c *Config) any { return c.RedisURL }, "redis://simvid:2/0"},
		{"redis flag beats all", precedenceYAML, map[string]string{"SIMVID_REDIS_URL": "redis://simvid:2/0"}, []string{"--redis-url=redis://flag:3/0"}, func(c *Config) any { return c.RedisURL }, "redis://flag:3/0"},
		{"database alias", precedenceYAML, map[string]string{"DATABASE_URL": "postgres://alias/db"}, nil, func(c *Config) any { return c.DatabaseURL }, "postgres://alias/db"},
		{"database flag", precedenceYAML, map[string]string{"DATABASE_URL": "postgres://alias/db"}, []string{"--database-url", "postgres://flag/db"}, func(c *Config) any { return c.DatabaseURL }, "postgres://flag/db"},
		{"admin password alias beats yaml", precedenceYAML, map[string]string{"ADMIN_PASSWORD": "from-env"}, nil, func(c *Config) any { return c.Admin.Password.Reveal() }, "from-env"},
		{"admin password yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Admin.Password.Reveal() }, "from-file"},
		{"video workers default is CPUs", "", nil, nil, func(c *Config) any { return c.Workers.Video }, runtime.NumCPU()},
		{"video workers yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Workers.Video }, 3},
		{"video workers alias", precedenceYAML, map[string]string{"VIDEO_WORKERS": "5"}, nil, func(c *Config) any { return c.Workers.Video }, 5},
		{"video workers SIMVID beats alias", precedenceYAML, map[string]string{"VIDEO_WORKERS": "5", "SIMVID_WORKERS_VIDEO": "6"}, nil, func(c *Config) any { return c.Workers.Video }, 6},
		{"video workers 0 means CPUs", "", map[string]string{"VIDEO_WORKERS": "0"}, nil, func(c *Config) any { return c.Workers.Video }, runtime.NumCPU()},
		{"audio workers alias", precedenceYAML, map[string]string{"AUDIO_WORKERS": "4"}, nil, func(c *Config) any { return c.Workers.Audio }, 4},
		{"log level yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Log.Level }, "warn"},
		{"log level env", precedenceYAML, map[string]string{"SIMVID_LOG_LEVEL": "error"}, nil, func(c *Config) any { return c.Log.Level }, "error"},
		{"log level flag", precedenceYAML, map[string]string{"SIMVID_LOG_LEVEL": "error"}, []string{"--log-level", "debug"}, func(c *Config) any { return c.Log.Level }, "debug"},
		{"size yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Limits.FileBytes }, 10 * MB},
		{"size env", precedenceYAML, map[string]string{"SIMVID_LIMITS_FILE_BYTES": "3MiB"}, nil, func(c *Config) any { return c.Limits.FileBytes }, 3 * MiB},
		{"duration yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.Jobs.Backoff }, 250 * time.Millisecond},
		{"duration env", precedenceYAML, map[string]string{"SIMVID_JOBS_BACKOFF": "1m"}, nil, func(c *Config) any { return c.Jobs.Backoff }, time.Minute},
		{"bool env", "", map[string]string{"SIMVID_RATE_LIMITS_ENABLED": "false"}, nil, func(c *Config) any { return c.RateLimits.Enabled }, false},
		{"list yaml", precedenceYAML, nil, nil, func(c *Config) any { return c.TrustedProxies }, []string{"10.0.0.0/8"}},
		{"list env", precedenceYAML, map[string]string{"SIMVID_TRUSTED_PROXIES": " 192.168.1.1, ::1 ,"}, nil, func(c *Config) any { return c.TrustedProxies }, []string{"192.168.1.1", "::1"}},
		{"list flag", precedenceYAML, map[string]string{"SIMVID_TRUSTED_PROXIES": "192.168.1.1"}, []string{"--trusted-proxies", "172.16.0.0/12,127.0.0.1"}, func(c *Config) any { return c.TrustedProxies }, []string{"172.16.0.0/12", "127.0.0.1"}},
		{"metrics off", "", map[string]string{"SIMVID_METRICS_ADDR": "off"}, nil, func(c *Config) any { return c.MetricsAddr }, ""},
		{"metrics flag off", "", nil, []string{"--metrics-addr", "off"}, func(c *Config) any { return c.MetricsAddr }, ""},
		{"unchanged flag keeps env", "", map[string]string{"SIMVID_DATA_DIR": "/srv/simvid"}, nil, func(c *Config) any { return c.DataDir }, "/srv/simvid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.yaml, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := tt.get(c)
			if gs, ok := got.([]string); ok {
				if !slices.Equal(gs, tt.want.([]string)) {
					t.Errorf("got %q, want %q", gs, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	t.Parallel()
	path := writeYAML(t, "data_dir: /from/env/file\n")
	c, err := Load(nil, env(map[string]string{ConfigEnv: path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/from/env/file" {
		t.Errorf("data_dir = %q", c.DataDir)
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		args []string
		want []string
	}{
		{"unknown top key", "adr: :1\n", nil, nil, []string{"line 1", "unknown key adr"}},
		{"unknown nested key", "limits:\n  file_byte: 1MiB\n", nil, nil, []string{"line 2", "unknown key limits.file_byte", "file_bytes"}},
		{"bad size in yaml", "limits:\n  file_bytes: 25 parsecs\n", nil, nil, []string{"line 2", "limits.file_bytes", `unknown unit "parsecs"`}},
		{"bad duration in yaml", "jobs:\n  backoff: 2\n", nil, nil, []string{"jobs.backoff", `"2" is not a duration`}},
		{"bad int in yaml", "workers: {video: many}\n", nil, nil, []string{"workers.video", "not a whole number"}},
		{"list given as mapping", "trusted_proxies: {a: b}\n", nil, nil, []string{"trusted_proxies", "must be a list"}},
		{"section given as scalar", "limits: 5\n", nil, nil, []string{"limits must be a mapping"}},
		{"key twice", "addr: :1\naddr: :2\n", nil, nil, []string{"line 2", "addr is set twice"}},
		{"yaml syntax", "addr: [\n", nil, nil, []string{"simvid.yaml"}},
		{"bad env", "", map[string]string{"VIDEO_WORKERS": "lots"}, nil, []string{"workers.video", "env VIDEO_WORKERS", `"lots"`}},
		{"bad env size", "", map[string]string{"SIMVID_LIMITS_MIN_FREE_DISK": "-1"}, nil, []string{"limits.min_free_disk", "SIMVID_LIMITS_MIN_FREE_DISK"}},
		{"invalid after merge", "", map[string]string{"SIMVID_LOG_LEVEL": "loud"}, nil, []string{"log.level: must be one of debug, info, warn, error"}},
		{"invalid flag", "", nil, []string{"--log-format", "xml"}, []string{"log.format: must be one of json, console"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.yaml, tt.env, tt.args...)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMissingConfigFile(t *testing.T) {
	t.Parallel()
	_, err := load(t, "", nil, "--config", filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, "# only a comment\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.Limits.FileBytes != 25*MiB {
		t.Errorf("defaults lost: %s", c.Dump())
	}
}

func TestFlagHelpNamesEnv(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	BindFlags(fs)
	for name, env := range map[string]string{
		"addr": "SIMVID_ADDR, PORT", "redis-url": "SIMVID_REDIS_URL, REDIS_URL",
		"log-level": "SIMVID_LOG_LEVEL", "config": "SIMVID_CONFIG", "trusted-proxies": "SIMVID_TRUSTED_PROXIES",
	} {
		f := fs.Lookup(name)
		if f == nil {
			t.Fatalf("flag --%s not registered", name)
		}
		if !strings.Contains(f.Usage, env) {
			t.Errorf("--%s help %q does not name %s", name, f.Usage, env)
		}
	}
	if d := fs.Lookup("metrics-addr").DefValue; d != "auto" {
		t.Errorf("--metrics-addr default shown as %q", d)
	}
}
