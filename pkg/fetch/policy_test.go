package fetch

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

func TestPolicyCheck(t *testing.T) {
	p, err := NewPolicy(DefaultHosts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://youtube.com/watch?v=dQw4w9WgXcQ&t=30",
		"http://m.youtube.com/watch?v=x",
		"https://music.youtube.com/watch?v=x",
		"https://youtu.be/dQw4w9WgXcQ",
		"HTTPS://WWW.YOUTUBE.COM/watch?v=x",
		"https://www.youtube.com./watch?v=x",
		"  https://youtu.be/x  ",
	} {
		if _, err := p.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v, want accepted", ok, err)
		}
	}
	for _, c := range []struct{ url, want string }{
		{"https://youtube.com.evil.example/watch?v=x", "not accepted"},
		{"https://evilyoutube.com/watch?v=x", "not accepted"},
		{"https://evil.example/youtube.com/watch", "not accepted"},
		{"https://evil.example/?u=https://youtube.com", "not accepted"},
		{"https://youtube.com@evil.example/", "user name"},
		{"https://user:pw@www.youtube.com/watch?v=x", "user name"},
		{"http://127.0.0.1/", "IP address"},
		{"http://127.0.0.1:6379/", "IP address"},
		{"http://[::1]/", "IP address"},
		{"http://[::ffff:127.0.0.1]/", "IP address"},
		{"http://169.254.169.254/latest/meta-data/", "IP address"},
		{"http://2130706433/", "IP address"},
		{"http://0x7f.1/", "IP address"},
		{"http://127.1/", "IP address"},
		{"file:///etc/passwd", "only http and https"},
		{"ftp://www.youtube.com/x", "only http and https"},
		{"javascript:alert(1)", "only http and https"},
		{"gopher://youtube.com:70/", "only http and https"},
		{"-o/tmp/pwned", "starts with '-'"},
		{"--exec=touch /tmp/pwned https://youtu.be/x", "starts with '-'"},
		{"https://youtu.be/x --exec=id", "spaces"},
		{"", "empty"},
		{"youtube.com/watch?v=x", "only http and https"},
		{"https:///watch", "no host"},
		{"https://you%74ube.com/", "valid"},
		{"https://" + strings.Repeat("a", 3000) + ".com/", "longer than"},
	} {
		_, err := p.Check(c.url)
		if err == nil {
			t.Errorf("Check(%q) accepted, want refused", c.url)
			continue
		}
		if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check(%q) = %v, want an unprocessable error mentioning %q", c.url, err, c.want)
		}
	}
}

func TestPolicyAnyHost(t *testing.T) {
	var p Policy
	if _, err := p.Check("https://cdn.example.org/a.mp3"); err != nil {
		t.Errorf("empty host list refused a public name: %v", err)
	}
	if _, err := p.Check("http://10.0.0.1/a.mp3"); err == nil {
		t.Error("empty host list accepted an IP literal")
	}
}

func TestNewPolicy(t *testing.T) {
	p, err := NewPolicy([]string{" YouTube.com. ", ""}, []string{"127.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hosts) != 1 || p.Hosts[0] != "youtube.com" {
		t.Errorf("hosts = %v", p.Hosts)
	}
	if !p.AddrAllowed(netip.MustParseAddr("127.0.0.1")) || !p.AddrAllowed(netip.MustParseAddr("::1")) {
		t.Error("allowed ranges not applied")
	}
	if p.AddrAllowed(netip.MustParseAddr("10.0.0.1")) {
		t.Error("10.0.0.1 allowed without a range")
	}
	if _, err := NewPolicy([]string{"bad host"}, nil); err == nil {
		t.Error("a host with a space was accepted")
	}
	if _, err := NewPolicy(nil, []string{"nonsense"}); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}

func TestPublic(t *testing.T) {
	for _, c := range []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true}, {"142.250.74.46", true}, {"2a00:1450:4001:82a::200e", true},
		{"127.0.0.1", false}, {"127.9.9.9", false}, {"::1", false},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false}, {"fd00::1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fd00:ec2::254", false},
		{"100.64.0.1", false}, {"100.100.100.200", false},
		{"0.0.0.0", false}, {"::", false}, {"0.1.2.3", false},
		{"224.0.0.1", false}, {"255.255.255.255", false}, {"240.0.0.1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"64:ff9b::a00:1", false},
		{"2002:a00:1::", false}, {"198.18.0.1", false},
	} {
		if got := Public(netip.MustParseAddr(c.ip)); got != c.want {
			t.Errorf("Public(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
}
