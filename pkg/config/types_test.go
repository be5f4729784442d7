package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"gopkg.in/yaml.v3"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Size{
		"25MiB": 25 << 20, "25MB": 25_000_000, "1GiB": 1 << 30, "512KiB": 512 << 10,
		"1048576": 1 << 20, "0": 0, "7B": 7, "1.5GiB": 3 << 29, "2 kb": 2000, "3Mi": 3 << 20,
		" 4TB ": 4e12, "0.5B": 0,
	} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"": "is not a size", "-1MiB": "is not a size", "MiB": "is not a size", "1.MiB": "is not a size",
		"25M": `unknown unit "M"`, "3 parsecs": "unknown unit", "9999999TiB": "too large",
		"1e6": "is not a size",
	} {
		if _, err := ParseSize(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSize(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}

func TestSizeStringRoundTrips(t *testing.T) {
	t.Parallel()
	for s, want := range map[Size]string{
		25 * MiB: "25MiB", GiB: "1GiB", 500 * MB: "500MB", 1234: "1234B", 0: "0B",
		1000 * MiB: "1000MiB", 1536 * KiB: "1536KiB", 60 * GB: "60GB",
	} {
		if got := s.String(); got != want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(s), got, want)
		}
		back, err := ParseSize(s.String())
		if err != nil || back != s {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s.String(), back, err, int64(s))
		}
	}
}

func TestSizeYAML(t *testing.T) {
	t.Parallel()
	var v struct {
		A Size `yaml:"a"`
		B Size `yaml:"b"`
	}
	if err := yaml.Unmarshal([]byte("a: 1048576\nb: 2MiB\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != MiB || v.B != 2*MiB {
		t.Errorf("got %d, %d", v.A, v.B)
	}
	if err := yaml.Unmarshal([]byte("a: [1]\n"), &v); err == nil {
		t.Error("a list was accepted as a size")
	}
	out, _ := yaml.Marshal(v)
	if string(out) != "a: 1MiB\nb: 2MiB\n" {
		t.Errorf("marshal = %q", out)
	}
}

func TestDurationParsing(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "720h": 720 * time.Hour, "0": 0, "1h30m": 90 * time.Minute, "250ms": 250 * time.Millisecond} {
		c, err := load(t, "retention: {project_ttl: "+in+"}\n", nil)
		if err != nil || c.Retention.ProjectTTL != want {
			t.Errorf("project_ttl %q: got %v, %v; want %v", in, c, err, want)
		}
		c, err = load(t, "", map[string]string{"SIMVID_RETENTION_PROJECT_TTL": in})
		if err != nil || c.Retention.ProjectTTL != want {
			t.Errorf("env project_ttl %q: got %v, %v; want %v", in, c, err, want)
		}
	}
	for _, in := range []string{"30", "3 days", "1d", "soon"} {
		_, err := load(t, "", map[string]string{"SIMVID_JOBS_RENDER_TIMEOUT": in})
		if err == nil || !strings.Contains(err.Error(), "jobs.render_timeout") || !strings.Contains(err.Error(), "not a duration") {
			t.Errorf("render_timeout %q: err = %v", in, err)
		}
	}
	for d, want := range map[time.Duration]string{720 * time.Hour: "720h", 90 * time.Minute: "1h30m", time.Minute: "1m", 2 * time.Second: "2s", 0: "0s", 61 * time.Second: "1m1s", 1500 * time.Millisecond: "1.5s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("hunter2")
	var v struct {
		P Secret `yaml:"p" json:"p"`
	}
	v.P = s
	y, _ := yaml.Marshal(v)
	j, _ := json.Marshal(v)
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "p", s)
	core, logs := observer.New(zap.InfoLevel)
	zap.New(core).Info("x", zap.Any("p", s), zap.Stringer("q", s))
	outputs := []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%s %v %q %#v %+v %x", s, s, s, s, v, s),
		string(y), string(j), sb.String(), fmt.Sprint(logs.All()[0].ContextMap()),
	}
	for _, out := range outputs {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "68756e74657232") {
			t.Errorf("secret leaked: %s", out)
		}
		if !strings.Contains(out, "***") {
			t.Errorf("no mask in %q", out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal lost the value")
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty")
	}
}
