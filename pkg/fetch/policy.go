// Package fetch gets media from links people paste, safely: a URL policy (schemes, hosts
// matched after parsing, no userinfo or IP literals), an HTTP client whose every connection,
// redirects included, refuses non-public addresses, and a yt-dlp runner for the hosts it is
// allowed on.
//
// Any other kind of link (a picture for a render) uses the same client:
//
//	policy, err := fetch.NewPolicy(nil, cfg.Links.AllowNetworks) // any public host
//	c := fetch.NewClient(policy, 30*time.Second)
//	res, err := c.DownloadFile(ctx, rawURL, tmpPath, maxBytes) // or Download into an io.Writer
//
// Its errors are coded (simvid.Error): EUnprocessable for a refused or useless link,
// ETooLarge past maxBytes, EUnavailable for network trouble worth another try later.
package fetch

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// DefaultHosts are where yt-dlp may fetch from unless the configuration says otherwise.
var DefaultHosts = []string{"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"}

// maxURLLength bounds a pasted link; real ones are far shorter.
const maxURLLength = 2048

// Policy says which links may be fetched and which addresses may be dialed.
type Policy struct {
	// Hosts are matched exactly or as a parent domain ("youtube.com" allows
	// "www.youtube.com"), never as a substring. Empty: any host.
	Hosts []string
	// Allow lists address ranges that may be dialed although they are not public
	// (loopback, private...). Meant for tests and for operators who know why.
	Allow []netip.Prefix
}

// NewPolicy builds a Policy from configuration strings: host names and CIDRs (an address
// alone means that one address).
func NewPolicy(hosts, allow []string) (Policy, error) {
	p := Policy{}
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
		if h == "" {
			continue
		}
		if !validHost(h) {
			return Policy{}, fmt.Errorf("fetch: %q is not a host name", h)
		}
		p.Hosts = append(p.Hosts, h)
	}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		pre, err := netip.ParsePrefix(a)
		if err != nil {
			ip, err2 := netip.ParseAddr(a)
			if err2 != nil {
				return Policy{}, fmt.Errorf("fetch: %q is not a CIDR or address", a)
			}
			pre = netip.PrefixFrom(ip, ip.BitLen())
		}
		p.Allow = append(p.Allow, pre.Masked())
	}
	return p, nil
}

// refuse is the error for a link the policy does not accept: the person's fault, never
// retried.
func refuse(format string, args ...any) error {
	return simvid.Errorf(simvid.EUnprocessable, format, args...)
}

// Check parses a link and applies the rules every fetched URL obeys: http or https, a host
// name (no IP literal, no numeric host a resolver would read as an address), no user name or
// password, not starting with '-' (it could be read as an option), and, when Hosts is set, a
// host on the list.
func (p Policy) Check(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return nil, refuse("the link is empty")
	case strings.HasPrefix(raw, "-"):
		return nil, refuse("that is not a link (it starts with '-')")
	case len(raw) > maxURLLength:
		return nil, refuse("the link is longer than %d characters", maxURLLength)
	case strings.ContainsAny(raw, " \t\r\n\x00"):
		return nil, refuse("the link contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refuse("that is not a valid link")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, refuse("only http and https links can be fetched")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, refuse("the link has no host")
	}
	if u.User != nil {
		return nil, refuse("links with a user name or password are not accepted")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if _, err := netip.ParseAddr(host); err == nil || strings.HasPrefix(u.Host, "[") || numericHost(host) {
		return nil, refuse("links to an IP address are not accepted; use the site's name")
	}
	if !validHost(host) {
		return nil, refuse("the link's host name is not valid")
	}
	if !p.HostAllowed(host) {
		return nil, refuse("links from %s are not accepted", host)
	}
	return u, nil
}

// HostAllowed reports whether host is on the list, exactly or as a subdomain of an entry.
func (p Policy) HostAllowed(host string) bool {
	if len(p.Hosts) == 0 {
		return true
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, h := range p.Hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// AddrAllowed reports whether ip may be dialed: a public unicast address, or one inside an
// allowed range.
func (p Policy) AddrAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, pre := range p.Allow {
		if pre.Contains(ip) {
			return true
		}
	}
	return Public(ip)
}

// nonPublic are ranges the netip predicates do not cover: CGNAT (and cloud metadata at
// 100.100.100.200), "this network", IETF and documentation blocks, benchmarking, reserved,
// broadcast, and the IPv6 forms that carry an IPv4 address inside (NAT64, 6to4).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether ip is a public unicast address: not loopback, private, link-local
// (cloud metadata at 169.254.169.254), CGNAT, unspecified, multicast or reserved.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, pre := range nonPublic {
		if pre.Contains(ip) {
			return false
		}
	}
	return ip.Zone() == ""
}

// numericHost catches hosts that are not dotted quads but that C resolvers still read as
// addresses ("2130706433", "0x7f.1", "127.1"): no real top-level domain is numeric.
func numericHost(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return true
	}
	return strings.Trim(last, "0123456789") == ""
}

// validHost allows letters, digits, '-', '_' and '.' with no empty label.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
