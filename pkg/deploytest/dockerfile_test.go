package deploytest

import (
	"encoding/json"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct{ cmd, args string }

// stages splits a Dockerfile into its build stages.
func stages(text string) [][]instruction {
	var out [][]instruction
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" || len(out) == 0 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], in)
	}
	for _, line := range strings.Split(text, "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "#") {
			continue
		}
		if strings.HasSuffix(trim, "\\") {
			cur.WriteString(strings.TrimSuffix(trim, "\\") + " ")
			continue
		}
		cur.WriteString(trim)
		flush()
	}
	flush()
	return out
}

func find(st []instruction, cmd string) []string {
	var out []string
	for _, in := range st {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	st := stages(readDeploy(t, "Dockerfile"))
	if len(st) != 2 {
		t.Fatalf("want a build and a runtime stage, got %d stages", len(st))
	}
	build, run := st[0], st[1]
	if from := find(build, "FROM"); len(from) != 1 || !strings.HasPrefix(from[0], "golang:") {
		t.Errorf("build stage FROM %v, want golang", from)
	}
	if runs := strings.Join(find(build, "RUN"), "\n"); !strings.Contains(runs, "CGO_ENABLED=0 go build -trimpath") ||
		!strings.Contains(runs, "-o /simvid .") {
		t.Errorf("build stage does not build a static binary: %s", runs)
	}
	if from := find(run, "FROM"); len(from) != 1 || from[0] != "debian:bookworm-slim" {
		t.Errorf("runtime FROM %v, want debian:bookworm-slim", from)
	}
	runs := strings.Join(find(run, "RUN"), "\n")
	if !strings.Contains(runs, "apt-get install") || !strings.Contains(runs, " ffmpeg ") {
		t.Errorf("runtime stage does not install ffmpeg: %s", runs)
	}
	if !strings.Contains(runs, "--uid 10001") {
		t.Errorf("no simvid user with uid 10001: %s", runs)
	}
	users := find(run, "USER")
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "root") || strings.HasPrefix(users[len(users)-1], "0") {
		t.Errorf("USER %v: the runtime must not be root", users)
	}
	if copies := strings.Join(find(run, "COPY"), "\n"); !strings.Contains(copies, "--from=build /simvid /usr/local/bin/simvid") {
		t.Errorf("binary not copied from the build stage: %s", copies)
	}
	if v := find(run, "VOLUME"); len(v) != 1 || v[0] != "/data" {
		t.Errorf("VOLUME %v, want /data", v)
	}
	if e := find(run, "EXPOSE"); len(e) != 1 || e[0] != "8080" {
		t.Errorf("EXPOSE %v, want 8080", e)
	}
	if h := strings.Join(find(run, "HEALTHCHECK"), ""); !strings.Contains(h, "/healthz") {
		t.Errorf("HEALTHCHECK %q does not ask /healthz", h)
	}
	argv := func(cmd string) []string {
		var v []string
		list := find(run, cmd)
		if len(list) != 1 || json.Unmarshal([]byte(list[0]), &v) != nil {
			t.Fatalf("%s %v: want one, in exec (JSON) form", cmd, list)
		}
		return v
	}
	entry := argv("ENTRYPOINT")
	if entry[len(entry)-1] != "/usr/local/bin/simvid" {
		t.Errorf("ENTRYPOINT %v does not run simvid", entry)
	}
	if cmd := strings.Join(argv("CMD"), " "); cmd != "all --data-dir /data" {
		t.Errorf("CMD %q, want all --data-dir /data", cmd)
	}
}

func TestProcfile(t *testing.T) {
	procs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(readDeploy(t, "Procfile")), "\n") {
		name, cmd, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("Procfile line %q is not name: command", line)
		}
		procs[name] = strings.TrimSpace(cmd)
	}
	if procs["web"] != "simvid serve" || procs["worker"] != "simvid work --queue=video,audio --concurrency=2" {
		t.Errorf("Procfile %v", procs)
	}
}
