package config

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestNewLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := Default()
	c.Log.Level = "warn"
	log, err := newLogger(c, zapcore.AddSync(&buf))
	if err != nil {
		t.Fatal(err)
	}
	log.Info("dropped")
	log.Warn("kept", zap.String("render_id", "rnd_x"))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one line at warn, got %q", buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("json format is not JSON: %v", err)
	}
	if rec["msg"] != "kept" || rec["level"] != "warn" || rec["render_id"] != "rnd_x" {
		t.Errorf("record = %v", rec)
	}

	buf.Reset()
	c.Log.Format, c.Log.Level = "console", "debug"
	log, err = newLogger(c, zapcore.AddSync(&buf))
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hello", zap.Int("n", 1))
	if out := buf.String(); !strings.Contains(out, "DEBUG") || !strings.Contains(out, "hello") || strings.HasPrefix(out, "{") {
		t.Errorf("console output = %q", out)
	}

	c.Log.Level = "chatty"
	if _, err := NewLogger(c); err == nil || !strings.Contains(err.Error(), "log.level") {
		t.Errorf("err = %v", err)
	}
}
