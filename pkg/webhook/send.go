package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/simvid/simvid/pkg/fetch"
)

// ErrForbiddenAddress is the error of a call to an address the sender may not reach.
var ErrForbiddenAddress = errors.New("webhook: the callback address is inside a private, loopback, link-local or metadata range")

// Sender posts signed webhook bodies over its own HTTP client: no proxy from the
// environment, no redirects, and a dialer that checks every address it connects to, so a
// name that resolves (or re-resolves) into the operator's network is refused.
type Sender struct {
	client *http.Client
}

// NewSender builds a Sender. allow lists ranges that may be called even though they are
// private (an operator's own receivers; tests allow loopback). timeout bounds one call.
func NewSender(allow []netip.Prefix, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return ErrForbiddenAddress
		}
		if !Allowed(ap.Addr(), allow) {
			return ErrForbiddenAddress
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy: nil, DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 20,
		IdleConnTimeout: 30 * time.Second, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
	}
	return &Sender{client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Allowed reports whether a webhook may connect to ip: a public unicast address (by the
// same rules as every other address simvid fetches from), or one inside an allowed range.
func Allowed(ip netip.Addr, allow []netip.Prefix) bool {
	return fetch.Policy{Allow: allow}.AddrAllowed(ip)
}

// Result is what one call got.
type Result struct {
	Status   int // 0 when no answer came
	Duration time.Duration
	Err      error // nil only for a 2xx answer
}

// Send posts body to url, signed with secret.
func (s *Sender) Send(ctx context.Context, url, secret string, body []byte) Result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("webhook: bad URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "simvid-webhook/1")
	req.Header.Set(Header, HeaderValue(secret, time.Now(), body))
	res, err := s.client.Do(req)
	took := time.Since(start)
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			err = ErrForbiddenAddress
		}
		return Result{Duration: took, Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return Result{Status: res.StatusCode, Duration: took, Err: fmt.Errorf("answered %d", res.StatusCode)}
	}
	return Result{Status: res.StatusCode, Duration: took}
}
