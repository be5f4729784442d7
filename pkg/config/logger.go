package config

import (
	"fmt"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger builds the process logger from log.format and log.level: JSON lines for
// production, readable console lines for development, both on stderr.
func NewLogger(c *Config) (*zap.Logger, error) {
	return newLogger(c, zapcore.Lock(os.Stderr))
}

func newLogger(c *Config, out zapcore.WriteSyncer) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(c.Log.Level)
	if err != nil {
		return nil, fmt.Errorf("config: log.level: %w", err)
	}
	var enc zapcore.Encoder
	switch c.Log.Format {
	case "json":
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
	case "console":
		ec := zap.NewDevelopmentEncoderConfig()
		enc = zapcore.NewConsoleEncoder(ec)
	default:
		return nil, fmt.Errorf("config: log.format: %q is not json or console", c.Log.Format)
	}
	core := zapcore.NewCore(enc, out, level)
	return zap.New(core, zap.AddCaller(), zap.ErrorOutput(out), zap.AddStacktrace(zapcore.DPanicLevel)), nil
}
