package config

import (
	"net"
	"net/netip"
	"strings"
)

// parseProxy reads a CIDR, or a bare IP meaning that one address.
func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// TrustedNets returns trusted_proxies parsed, in the form echo.TrustIPRange takes. Entries
// that do not parse are skipped; Validate reports them.
func (c *Config) TrustedNets() []*net.IPNet {
	var out []*net.IPNet
	for _, s := range c.TrustedProxies {
		p, err := parseProxy(s)
		if err != nil {
			continue
		}
		out = append(out, &net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		})
	}
	return out
}
