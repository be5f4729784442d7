package redisx

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// SentinelScheme is the scheme of a Redis URL naming sentinels instead of the Redis itself.
const SentinelScheme = "redis+sentinel"

const defaultSentinelPort = "26379"

// SentinelURL is a parsed redis+sentinel:// URL:
//
//	redis+sentinel://[[user]:password@]host1:26379,host2:26379,host3:26379/MASTERNAME[/DB][?sentinel_password=...]
//
// The user and password are the Redis nodes' (master and replicas); the sentinels' own
// password, when they have one (requirepass in sentinel.conf), is sentinel_password.
type SentinelURL struct {
	Sentinels        []string // host:port, in the order given
	Master           string
	DB               int
	Username         string
	Password         string
	SentinelPassword string
}

// IsSentinelURL says whether rawURL names sentinels (redis+sentinel://).
func IsSentinelURL(rawURL string) bool {
	s := strings.ToLower(strings.TrimSpace(rawURL))
	return strings.HasPrefix(s, SentinelScheme+"://")
}

// ParseSentinelURL checks a redis+sentinel:// URL and returns its parts. The comma-separated
// host list is read by hand: net/url refuses it. Errors name the problem and never include
// a password.
func ParseSentinelURL(rawURL string) (*SentinelURL, error) {
	s := strings.TrimSpace(rawURL)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("redisx: Redis URL %s: %s (want %s://host1:26379,host2:26379/MASTERNAME/DB)",
			Redact(s), fmt.Sprintf(format, args...), SentinelScheme)
	}
	if !IsSentinelURL(s) {
		return nil, bad("scheme must be %s://", SentinelScheme)
	}
	rest := s[len(SentinelScheme+"://"):]
	rest, query, _ := strings.Cut(rest, "?")
	if strings.Contains(rest, "#") {
		return nil, bad("a fragment (#) has no meaning here")
	}
	authority, path, _ := strings.Cut(rest, "/")
	u := &SentinelURL{}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		var err error
		if u.Username, u.Password, err = userinfo(authority[:at]); err != nil {
			return nil, bad("%v", err)
		}
		authority = authority[at+1:]
	}
	if authority == "" {
		return nil, bad("no sentinel addresses")
	}
	for _, h := range strings.Split(authority, ",") {
		addr, err := sentinelAddr(strings.TrimSpace(h))
		if err != nil {
			return nil, bad("%v", err)
		}
		u.Sentinels = append(u.Sentinels, addr)
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	master, err := url.PathUnescape(parts[0])
	if err != nil || strings.TrimSpace(master) == "" {
		return nil, bad("no master name after the sentinel addresses")
	}
	if strings.ContainsAny(master, " \t\r\n") {
		return nil, bad("the master name %q has a space", master)
	}
	u.Master = master
	switch len(parts) {
	case 1:
	case 2:
		if u.DB, err = strconv.Atoi(parts[1]); err != nil || u.DB < 0 {
			return nil, bad("database %q must be a number like /0", parts[1])
		}
	default:
		return nil, bad("the path must be /MASTERNAME or /MASTERNAME/DB")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, bad("the query is not valid")
	}
	for k, v := range q {
		if k != "sentinel_password" {
			return nil, bad("unknown parameter %q (known: sentinel_password)", k)
		}
		u.SentinelPassword = v[len(v)-1]
	}
	return u, nil
}

// userinfo reads user:password, :password or a lone password (redis-cli style, as redigo
// reads redis://secret@host).
func userinfo(s string) (user, password string, err error) {
	user, password, hasColon := strings.Cut(s, ":")
	if user, err = url.PathUnescape(user); err != nil {
		return "", "", fmt.Errorf("the user name is not valid")
	}
	if password, err = url.PathUnescape(password); err != nil {
		return "", "", fmt.Errorf("the password is not validly escaped")
	}
	if !hasColon {
		return "", user, nil
	}
	return user, password, nil
}

// sentinelAddr checks one host[:port], adding the sentinels' default port when none is given.
func sentinelAddr(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("an empty sentinel address in the list")
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		// No port: a name, an IPv4 address or a bracketed IPv6 address alone.
		host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), defaultSentinelPort
		if strings.Contains(host, ":") && !strings.HasPrefix(h, "[") || strings.ContainsAny(host, "[]") {
			return "", fmt.Errorf("sentinel address %q is not host:port", h)
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("sentinel address %q has no valid port", h)
	}
	if host == "" || strings.ContainsAny(host, "/@ ") {
		return "", fmt.Errorf("sentinel address %q has no valid host", h)
	}
	return net.JoinHostPort(host, port), nil
}

// redactSentinel masks the password in the user info and the sentinel_password parameter,
// without parsing (a URL too broken to parse must not leak either).
func redactSentinel(rawURL, mask string) string {
	head, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	authority, path, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		info := mask
		if user, _, hasColon := strings.Cut(authority[:at], ":"); hasColon {
			info = user + ":" + mask
		}
		authority = info + authority[at:]
	}
	out := head + "://" + authority
	if hasPath {
		out += "/" + path
	}
	if hasQuery {
		params := strings.Split(query, "&")
		for i, p := range params {
			if k, _, _ := strings.Cut(p, "="); strings.EqualFold(k, "sentinel_password") {
				params[i] = k + "=" + mask
			}
		}
		out += "?" + strings.Join(params, "&")
	}
	return out
}
