package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"strconv"
	"syscall"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// Client downloads links over HTTP(S) itself. Every connection, the first and each redirect's,
// goes to an address the Policy allows: the host is resolved here, each address checked, and
// the dialer's Control checks the socket's address again just before connecting, so neither a
// redirect nor a DNS answer can point it at loopback, a private network or cloud metadata.
// Environment proxies are ignored (a proxy would do the connecting). Safe for concurrent use.
type Client struct {
	policy  Policy
	timeout time.Duration
	guard   func(io.Writer) io.Writer // wraps every destination; nil: none
	lookup  func(ctx context.Context, host string) ([]netip.Addr, error)
	http    *http.Client
}

// Option tunes a Client.
type Option func(*Client)

// WithLookup replaces DNS resolution (tests map names to addresses with it).
func WithLookup(fn func(ctx context.Context, host string) ([]netip.Addr, error)) Option {
	return func(c *Client) { c.lookup = fn }
}

// WithWriteGuard wraps every download's destination in guard, whose refusal stops the download
// as the bytes arrive: the media store's SpaceWriter keeps the disk's reserve with it.
func WithWriteGuard(guard func(io.Writer) io.Writer) Option {
	return func(c *Client) { c.guard = guard }
}

// maxRedirects bounds a redirect chain.
const maxRedirects = 5

// UserAgent is sent with every request.
const UserAgent = "simvid-fetch/1"

// NewClient returns a Client under policy; timeout bounds one whole Download (0: 2 minutes).
func NewClient(policy Policy, timeout time.Duration, opts ...Option) *Client {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	c := &Client{policy: policy, timeout: timeout}
	c.lookup = dnsLookup
	for _, o := range opts {
		o(c)
	}
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second, Control: c.control}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return c.dial(ctx, dialer, network, addr)
		},
		TLSHandshakeTimeout:    15 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	c.http = &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
	return c
}

func dnsLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// Policy returns the client's policy.
func (c *Client) Policy() Policy { return c.policy }

// Result describes a finished download.
type Result struct {
	Size        int64
	ContentType string // as the server said, parameters dropped
	URL         string // after redirects
	Name        string // the last path segment, or the Content-Disposition file name (display only)
}

// errRefusedAddr marks a dial refused by the policy.
type errRefusedAddr struct{ addr string }

func (e *errRefusedAddr) Error() string {
	return "fetch: refusing to connect to non-public address " + e.addr
}

func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &errRefusedAddr{address}
	}
	if !c.policy.AddrAllowed(ap.Addr()) {
		return &errRefusedAddr{address}
	}
	return nil
}

// dial resolves the host itself and connects only to checked addresses, so the address
// checked is the address used (no second lookup an attacker's DNS could answer differently).
func (c *Client) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, ip := range ips {
		if !c.policy.AddrAllowed(ip) {
			if firstErr == nil {
				firstErr = &errRefusedAddr{ip.String()}
			}
			continue
		}
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		firstErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("fetch: %s has no address", host)
	}
	return nil, firstErr
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return refuse("the link redirects too many times")
	}
	_, err := c.policy.Check(req.URL.String())
	return err
}

var errDeadline = errors.New("fetch: deadline")

// Download fetches rawURL into dst, at most maxBytes (0: no cap), under the client's
// deadline. Errors are coded: EUnprocessable for a refused or unusable link (not worth
// retrying), ETooLarge past maxBytes, EUnavailable for network trouble and server errors
// (worth retrying later). A canceled ctx comes back as ctx's error.
func (c *Client) Download(ctx context.Context, rawURL string, dst io.Writer, maxBytes int64) (*Result, error) {
	u, err := c.policy.Check(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errDeadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, refuse("that is not a valid link")
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "audio/*, video/*, image/*;q=0.9, */*;q=0.5")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.netError(ctx, err)
	}
	defer resp.Body.Close()
	if err := statusError(resp.StatusCode); err != nil {
		return nil, err
	}
	if maxBytes > 0 && resp.ContentLength > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	res := &Result{URL: resp.Request.URL.String(), Name: fileName(resp)}
	res.ContentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	src := io.Reader(resp.Body)
	if maxBytes > 0 {
		src = io.LimitReader(resp.Body, maxBytes+1)
	}
	if c.guard != nil {
		dst = c.guard(dst)
	}
	n, err := io.Copy(errWriter{dst}, src)
	res.Size = n
	if err != nil {
		var we *writeError
		if errors.As(err, &we) {
			return nil, we.err
		}
		return nil, c.netError(ctx, err)
	}
	if maxBytes > 0 && n > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	if n == 0 {
		return nil, refuse("the link gave an empty file")
	}
	return res, nil
}

// writeError lets a caller's writer failure pass through io.Copy undisguised.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

type errWriter struct{ w io.Writer }

func (w errWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		return n, &writeError{fmt.Errorf("fetch: write: %w", err)}
	}
	return n, nil
}

func createFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("fetch: create: %w", err)
	}
	return f, nil
}

func removeFile(path string) { _ = os.Remove(path) }

// DownloadFile is Download into a file at path (created or truncated). On error the file is
// removed.
func (c *Client) DownloadFile(ctx context.Context, rawURL, path string, maxBytes int64) (*Result, error) {
	f, err := createFile(path)
	if err != nil {
		return nil, err
	}
	res, err := c.Download(ctx, rawURL, f, maxBytes)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("fetch: close %s: %w", path, cerr)
	}
	if err != nil {
		removeFile(path)
		return nil, err
	}
	return res, nil
}

func (c *Client) netError(ctx context.Context, err error) error {
	var ra *errRefusedAddr
	var se *simvid.Error
	switch {
	case errors.As(err, &se):
		return se // a refused redirect
	case errors.As(err, &ra):
		return simvid.Wrap(simvid.EUnprocessable, err, "the link points to a private or local address, which is not allowed")
	case errors.Is(context.Cause(ctx), errDeadline):
		return simvid.Wrap(simvid.EUnavailable, err, "the link took longer than %s to download", c.timeout)
	case ctx.Err() != nil:
		return fmt.Errorf("fetch: %w", ctx.Err())
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return simvid.Wrap(simvid.EUnprocessable, err, "the link's site does not exist")
	}
	return simvid.Wrap(simvid.EUnavailable, err, "the link could not be reached")
}

func statusError(code int) error {
	switch {
	case code == http.StatusOK:
		return nil
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		return simvid.Errorf(simvid.EUnavailable, "the link's site answered %d %s", code, http.StatusText(code))
	case code == http.StatusNotFound || code == http.StatusGone:
		return simvid.Errorf(simvid.EUnprocessable, "nothing was found at the link (%d)", code)
	}
	return simvid.Errorf(simvid.EUnprocessable, "the link's site answered %d %s", code, http.StatusText(code))
}

func tooLarge(maxBytes int64) error {
	return simvid.Errorf(simvid.ETooLarge, "the file at the link is larger than the %s limit", humanBytes(maxBytes))
}

// fileName is a display name for what was fetched: never used in a path.
func fileName(resp *http.Response) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	name, _ := url.PathUnescape(path.Base(resp.Request.URL.Path))
	if name == "/" || name == "." {
		return ""
	}
	return name
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
