package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// CheckTarget refuses, when a render is requested, a callback URL the Sender could never
// deliver to: one whose host is, or resolves to, an address Allowed refuses (loopback,
// private, link-local, CGNAT, metadata), unless allow lists it. It is the Sender's own rule,
// applied before the render is accepted rather than for a day of retries. A name that
// resolves to any refused address is refused: the Sender's dialer would refuse that one, and
// a name that mixes public and private addresses is no receiver of ours to call.
// The error's text is for people (what was refused, and why).
func CheckTarget(ctx context.Context, raw string, allow []netip.Prefix) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return fmt.Errorf("the webhook URL must be an absolute http or https URL without credentials")
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return fmt.Errorf("its host %s does not resolve to an address", host)
		}
	}
	for _, ip := range addrs {
		if !Allowed(ip, allow) {
			where := ""
			if ip.String() != host {
				where = " (" + host + " is " + ip.Unmap().String() + ")"
			}
			return fmt.Errorf("it points inside a loopback, private, link-local or metadata range%s, which webhooks may not call; "+
				"an operator may allow a range in api.webhook_allow", where)
		}
	}
	return nil
}
