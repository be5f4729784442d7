package ratelimit

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// IPExtractor returns the echo IPExtractor that believes X-Forwarded-For only from the
// trusted proxy ranges: walking the chain from the peer backwards, the first address outside
// them is the client. Loopback, link-local and private ranges are NOT trusted unless listed,
// so with no trusted proxies the TCP peer is the client and any X-Forwarded-For is ignored.
func IPExtractor(trusted []netip.Prefix) echo.IPExtractor {
	opts := []echo.TrustOption{
		echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false),
	}
	for _, p := range trusted {
		p = p.Masked()
		bits := 32
		if p.Addr().Is6() {
			bits = 128
		}
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), bits),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrusted reads trusted proxy ranges written as CIDR ("10.0.0.0/8") or single
// addresses ("127.0.0.1", "::1"); field names the setting in errors.
func ParseTrusted(field string, list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		var p netip.Prefix
		var err error
		if strings.Contains(s, "/") {
			p, err = netip.ParsePrefix(s)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(s); err == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil {
			return nil, simvid.Wrap(simvid.EInvalid, fmt.Errorf("ratelimit: %w", err),
				"%s: %q is not an IP address or a CIDR range like 10.0.0.0/8", field, s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
