package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
)

// A project's renders are alike (the same pictures, mostly the same settings), so the speed
// of its last render is the best first guess for its next one's ETA; a worker's own recent
// speed comes next. The project's is kept in Redis, where every worker finds it.
func speedKey(projectID string) string { return "simvid:speed:" + projectID }

// speedTTL bounds how long a project's speed is kept: machines and their load change.
const speedTTL = 7 * 24 * time.Hour

// priorSpeed is the speed a render's ETA starts from: its project's last render's, else
// (field by field) this worker's recent renders'. Zero fields are unknown.
func (w *Worker) priorSpeed(ctx context.Context, projectID string) engine.Speed {
	w.speedMu.Lock()
	s := w.speed
	w.speedMu.Unlock()
	conn, err := w.Pool.GetContext(ctx)
	if err != nil {
		return s
	}
	defer conn.Close()
	b, err := redis.Bytes(conn.Do("GET", speedKey(projectID)))
	var p engine.Speed
	if err != nil || json.Unmarshal(b, &p) != nil {
		return s
	}
	if p.PerWork > 0 {
		s.PerWork = p.PerWork
	}
	if p.PerFrame > 0 {
		s.PerFrame = p.PerFrame
	}
	return s
}

// learnSpeed keeps a finished render's measured speed for its project and, averaged with
// the renders before, for this worker.
func (w *Worker) learnSpeed(ctx context.Context, projectID string, s engine.Speed) {
	if s.PerWork <= 0 && s.PerFrame <= 0 {
		return
	}
	w.speedMu.Lock()
	w.speed.PerWork = ewma(w.speed.PerWork, s.PerWork)
	w.speed.PerFrame = ewma(w.speed.PerFrame, s.PerFrame)
	w.speedMu.Unlock()
	conn, err := w.Pool.GetContext(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	prev := engine.Speed{}
	if b, err := redis.Bytes(conn.Do("GET", speedKey(projectID))); err == nil {
		_ = json.Unmarshal(b, &prev)
	}
	if s.PerWork <= 0 { // a render from the cache measured no speed of work: keep the last
		s.PerWork = prev.PerWork
	}
	b, _ := json.Marshal(s)
	if _, err := conn.Do("SET", speedKey(projectID), b, "PX", speedTTL.Milliseconds()); err != nil {
		w.Log.Debug("keeping the render speed failed", zap.String("project_id", projectID), zap.Error(err))
	}
}

// ewma moves an average half way to a new value; unknown (0) values are left out.
func ewma(avg, v float64) float64 {
	switch {
	case v <= 0:
		return avg
	case avg <= 0:
		return v
	}
	return (avg + v) / 2
}
