package app

import (
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/metrics"
)

// toolUsage reads the ffmpeg runs' totals for /metrics (simvid_ffmpeg_seconds_total): where a
// render's CPU goes, by kind of run.
func toolUsage(u *ffmpeg.Usage) func() []metrics.ToolKind {
	return func() []metrics.ToolKind {
		snap := u.Snapshot()
		out := make([]metrics.ToolKind, len(snap))
		for i, k := range snap {
			out[i] = metrics.ToolKind{Kind: string(k.Kind), Runs: k.Runs, CPU: k.CPU, Wall: k.Wall}
		}
		return out
	}
}
