package httpapi

import (
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ratelimit"
)

// LimitConns caps the connections one client address may hold open at once (IPv6: one /64,
// as the rate limits count), at the listener, before any goroutine of the HTTP server is
// spent on them: past the cap a new connection is answered 429 and closed, while other
// addresses are served as usual. Addresses in exempt (the trusted proxies) are not capped:
// every client behind a proxy arrives from the proxy's address. perClient <= 0: no cap.
func LimitConns(ln net.Listener, perClient int, exempt []netip.Prefix, log *zap.Logger) net.Listener {
	if perClient <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, max: perClient, exempt: exempt, open: map[string]int{}, log: log}
}

type connLimiter struct {
	net.Listener
	max    int
	exempt []netip.Prefix
	log    *zap.Logger

	mu   sync.Mutex
	open map[string]int // by ratelimit.ClientKey
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, ok := l.client(c.RemoteAddr())
		if !ok {
			return c, nil
		}
		l.mu.Lock()
		full := l.open[key] >= l.max
		if !full {
			l.open[key]++
		}
		l.mu.Unlock()
		if full {
			l.log.Debug("connection refused: too many from one address", zap.String("ip", key), zap.Int("max", l.max))
			go refuseConn(c)
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

// client is the address a connection counts against, grouped as the rate limits group
// (ratelimit.ClientKey); false when it is not counted.
func (l *connLimiter) client(addr net.Addr) (string, bool) {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return "", false
	}
	ip := ap.Addr().Unmap().WithZone("")
	for _, p := range l.exempt {
		if p.Contains(ip) {
			return "", false
		}
	}
	return ratelimit.ClientKey(ip.String()), true
}

func (l *connLimiter) release(key string) {
	l.mu.Lock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
	l.mu.Unlock()
}

// countedConn gives its place back when closed, once however often Close is called.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

const refusedBody = `{"error":{"code":"rate_limited","message":"too many connections from your address; close some and try again"}}`

// refuseConn tells the client why in a few bytes and closes: the kernel's send buffer takes
// them at once, and the deadline bounds a client that never reads.
func refuseConn(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(refusedBody)) + "\r\n\r\n" + refusedBody))
	_ = c.Close()
}
