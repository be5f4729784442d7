//go:build scale

package scaletest

import (
	"fmt"
	"os"
	"testing"
)

// shape is the deploy the scale test runs: today's shared data directory on one Redis, or
// the cluster of issue 19, where no two processes share a directory.
type shape struct {
	Name           string
	Serves, Works  int
	Cluster        bool // each process its own data directory, files in a versitygw bucket, Redis behind sentinels
	storagePrefix  string
	redisDescribed string
}

// shapeFromEnv reads SIMVID_SCALE_SHAPE: "" or "shared" (3 serve and 4 work on one data
// directory, one redis-server), or "cluster" (2 serve and 3 work, each with its own empty
// data directory, an S3 bucket, Redis as master, replica and three sentinels).
func shapeFromEnv(t *testing.T) shape {
	t.Helper()
	switch v := os.Getenv("SIMVID_SCALE_SHAPE"); v {
	case "", "shared":
		return shape{Name: "shared", Serves: 3, Works: 4, redisDescribed: "redis-server"}
	case "cluster":
		return shape{Name: "cluster", Serves: 2, Works: 3, Cluster: true, storagePrefix: "scale",
			redisDescribed: "Redis master+replica+3 sentinels, versitygw bucket, a data directory per process"}
	default:
		t.Fatalf("SIMVID_SCALE_SHAPE=%q: want shared or cluster", v)
		return shape{}
	}
}

// String is the report's headline of the topology.
func (s shape) String() string {
	return fmt.Sprintf("%d serve, %d work (video+audio, 1 job each), nginx, %s, PostgreSQL", s.Serves, s.Works, s.redisDescribed)
}
