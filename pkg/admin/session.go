package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Session is one logged-in admin, kept in Redis under a hash of its id: the cookie holds the
// id, Redis never does, so a dump of Redis does not hand out sessions.
type Session struct {
	id      string
	CSRF    string    `json:"csrf"`
	IP      string    `json:"ip"`
	Agent   string    `json:"agent"`
	Created time.Time `json:"created"`
}

const (
	sessionPrefix = "simvid:admin:session:"
	sessionIndex  = "simvid:admin:sessions" // zset of session keys, scored by creation
)

type sessions struct {
	pool *redis.Pool
	ttl  time.Duration
}

func randomToken() string {
	var b [32]byte // 256 bits
	if _, err := rand.Read(b[:]); err != nil {
		panic("admin: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func sessionKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return sessionPrefix + hex.EncodeToString(h[:])
}

// create stores a new session and returns it with its id.
func (s *sessions) create(ctx context.Context, ip, agent string) (*Session, error) {
	sess := &Session{id: randomToken(), CSRF: randomToken(), IP: ip, Agent: truncate(agent, 200), Created: time.Now().UTC()}
	b, _ := json.Marshal(sess)
	conn, err := s.pool.GetContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin: session: %w", err)
	}
	defer conn.Close()
	key := sessionKey(sess.id)
	if _, err := conn.Do("SET", key, b, "PX", s.ttl.Milliseconds()); err != nil {
		return nil, fmt.Errorf("admin: session: %w", err)
	}
	_, _ = conn.Do("ZADD", sessionIndex, sess.Created.Unix(), key)
	s.prune(conn, sess.Created.Add(-s.ttl).Unix())
	return sess, nil
}

// prune drops index entries of sessions that expired: only those created more than one TTL
// ago can have, since every use extends a session by the TTL.
func (s *sessions) prune(conn redis.Conn, before int64) {
	keys, err := redis.Strings(conn.Do("ZRANGEBYSCORE", sessionIndex, "-inf", before, "LIMIT", 0, 100))
	if err != nil {
		return
	}
	for _, k := range keys {
		if n, err := redis.Int(conn.Do("EXISTS", k)); err == nil && n == 0 {
			_, _ = conn.Do("ZREM", sessionIndex, k)
		}
	}
}

// get returns the session of id and extends its life (sliding expiry); nil when there is
// none or it expired.
func (s *sessions) get(ctx context.Context, id string) (*Session, error) {
	if len(id) != 43 {
		return nil, nil
	}
	conn, err := s.pool.GetContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin: session: %w", err)
	}
	defer conn.Close()
	key := sessionKey(id)
	b, err := redis.Bytes(conn.Do("GET", key))
	if errors.Is(err, redis.ErrNil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("admin: session: %w", err)
	}
	sess := &Session{id: id}
	if err := json.Unmarshal(b, sess); err != nil {
		return nil, nil
	}
	_, _ = conn.Do("PEXPIRE", key, s.ttl.Milliseconds())
	return sess, nil
}

// end deletes one session.
func (s *sessions) end(ctx context.Context, id string) error {
	conn, err := s.pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("admin: session: %w", err)
	}
	defer conn.Close()
	key := sessionKey(id)
	_, err = conn.Do("DEL", key)
	_, _ = conn.Do("ZREM", sessionIndex, key)
	return err
}

// endAll revokes every session (log out everywhere) and returns how many were live.
func (s *sessions) endAll(ctx context.Context) (int, error) {
	conn, err := s.pool.GetContext(ctx)
	if err != nil {
		return 0, fmt.Errorf("admin: session: %w", err)
	}
	defer conn.Close()
	keys, err := redis.Strings(conn.Do("ZRANGE", sessionIndex, 0, -1))
	if err != nil {
		return 0, fmt.Errorf("admin: session: %w", err)
	}
	n := 0
	for _, k := range keys {
		d, _ := redis.Int(conn.Do("DEL", k))
		n += d
	}
	_, _ = conn.Do("DEL", sessionIndex)
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
