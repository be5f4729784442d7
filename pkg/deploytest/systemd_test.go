package deploytest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unit reads a systemd unit: section -> key -> values (keys may repeat).
func unit(t *testing.T, text string) map[string]map[string][]string {
	t.Helper()
	u := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		case section != "" && strings.Contains(line, "="):
			k, v, _ := strings.Cut(line, "=")
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		default:
			t.Fatalf("deploy/simvid.service:%d: %q is neither a section, a key=value nor a comment", n, line)
		}
	}
	return u
}

func TestSystemdUnitKeys(t *testing.T) {
	u := unit(t, readDeploy(t, "simvid.service"))
	want := map[string]map[string]string{
		"Unit": {"Description": ""},
		"Service": {
			"User": "simvid", "EnvironmentFile": "-/etc/simvid/env",
			"ExecStart":       "/usr/local/bin/simvid all --config /etc/simvid/simvid.yaml",
			"Restart":         "on-failure",
			"KillMode":        "mixed", // SIGTERM to simvid; SIGKILL for ffmpeg only after the timeout
			"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ReadWritePaths": "/var/lib/simvid",
			"PrivateTmp": "yes", "ProtectHome": "yes", "StateDirectory": "simvid",
			// More than jobs.shutdown_grace (30 s) plus the HTTP shutdown (15 s).
			"TimeoutStopSec": "60",
		},
		"Install": {"WantedBy": "multi-user.target"},
	}
	for section, keys := range want {
		for k, v := range keys {
			got := u[section][k]
			if len(got) == 0 || (v != "" && got[len(got)-1] != v) {
				t.Errorf("[%s] %s = %v, want %q", section, k, got, v)
			}
		}
	}
}

// systemd's own parser: any complaint about our file fails. The binary is swapped for one
// that exists here, since verify insists ExecStart be executable.
func TestSystemdAnalyzeVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("SKIPPED: systemd-analyze is not installed; TestSystemdUnitKeys read the unit instead")
	}
	truth, err := exec.LookPath("true")
	if err != nil {
		t.Skip("SKIPPED: no `true` binary to stand in for simvid")
	}
	path := filepath.Join(t.TempDir(), "simvid.service")
	text := strings.ReplaceAll(readDeploy(t, "simvid.service"), "/usr/local/bin/simvid", truth)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	var complaints []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "simvid.service") {
			complaints = append(complaints, line)
		}
	}
	if err != nil || len(complaints) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, strings.Join(complaints, "\n"))
	}
}
