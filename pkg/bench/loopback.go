package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPFrom returns an HTTP client whose connections leave from the local address ip (for
// example 127.0.0.7), so that one process can play many clients to nginx's per-address
// limits and to simvid's X-Forwarded-For handling. Every address of 127.0.0.0/8 is usable
// on Linux without configuration. Connecting may take up to 30 s: a loaded machine is slow
// to accept, and the scale test loads it on purpose.
func HTTPFrom(ip string, timeout time.Duration) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// StartNginx runs nginx with args (deploytest.NginxSite.Args gives them) in its own process
// group and waits up to ready for base+"/nginx-health" to answer 200.
func StartNginx(ctx context.Context, args []string, base string, out io.Writer, ready time.Duration) (*Process, error) {
	p, err := StartProcess("nginx", args, nil, out)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(ready)
	for {
		res, err := client.Get(base + "/nginx-health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.Done():
			return nil, fmt.Errorf("bench: nginx exited at start: %v", p.Err())
		case <-ctx.Done():
			_ = p.Stop(5 * time.Second)
			return nil, fmt.Errorf("bench: nginx: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = p.Stop(5 * time.Second)
			return nil, fmt.Errorf("bench: nginx at %s not healthy within %s (last: %v)", base, ready, err)
		}
	}
}
