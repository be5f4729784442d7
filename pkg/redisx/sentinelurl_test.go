package redisx_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/redisx"
)

func TestParseSentinelURL(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    redisx.SentinelURL
		errPart string
	}{
		{in: "redis+sentinel://h1:26379,h2:26380,h3:26381/mymaster",
			want: redisx.SentinelURL{Sentinels: []string{"h1:26379", "h2:26380", "h3:26381"}, Master: "mymaster"}},
		{in: " REDIS+SENTINEL://:s3cret@10.0.0.1:5000,10.0.0.2/mymaster/3/ ",
			want: redisx.SentinelURL{Sentinels: []string{"10.0.0.1:5000", "10.0.0.2:26379"}, Master: "mymaster", DB: 3, Password: "s3cret"}},
		{in: "redis+sentinel://app:s3cret@[fd00::1]:26379,[fd00::2]/m%2Dx/0?sentinel_password=p%40ss",
			want: redisx.SentinelURL{Sentinels: []string{"[fd00::1]:26379", "[fd00::2]:26379"}, Master: "m-x",
				Username: "app", Password: "s3cret", SentinelPassword: "p@ss"}},
		{in: "redis+sentinel://s3cret@h1/mymaster", // redis-cli style: a lone user-info is the password
			want: redisx.SentinelURL{Sentinels: []string{"h1:26379"}, Master: "mymaster", Password: "s3cret"}},
		{in: "redis+sentinel://:s3cret@h1:26379,h2:26379", errPart: "no master name"},
		{in: "redis+sentinel://:s3cret@h1:26379/", errPart: "no master name"},
		{in: "redis+sentinel://:s3cret@/mymaster", errPart: "no sentinel addresses"},
		{in: "redis+sentinel://h1:26379,,h2/mymaster", errPart: "empty sentinel address"},
		{in: "redis+sentinel://h1:notaport/mymaster", errPart: `sentinel address "h1:notaport" has no valid port`},
		{in: "redis+sentinel://h1:70000/mymaster", errPart: "has no valid port"},
		{in: "redis+sentinel://fd00::1/mymaster", errPart: "is not host:port"},
		{in: "redis+sentinel://:s3cret@h1/mymaster/x", errPart: `database "x" must be a number`},
		{in: "redis+sentinel://h1/mymaster/-1", errPart: "must be a number"},
		{in: "redis+sentinel://h1/my%20master", errPart: `master name "my master" has a space`},
		{in: "redis+sentinel://h1/mymaster/0/extra", errPart: "/MASTERNAME or /MASTERNAME/DB"},
		{in: "redis+sentinel://h1/mymaster?db=2", errPart: `unknown parameter "db"`},
		{in: "redis+sentinel://h1/mymaster?sentinel_password=s3cret&x=%zz", errPart: "query is not valid"},
		{in: "redis://h1/mymaster", errPart: "scheme must be redis+sentinel://"},
	} {
		got, err := redisx.ParseSentinelURL(tc.in)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("ParseSentinelURL(%q) error = %v, want one mentioning %q", tc.in, err, tc.errPart)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("ParseSentinelURL(%q) error leaks the password: %v", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("ParseSentinelURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		// NewPool and DialPubSub take what the parser takes (dialing is lazy).
		if _, err := redisx.NewPool(tc.in, 1); err != nil {
			t.Errorf("NewPool(%q): %v", tc.in, err)
		}
	}
	if _, err := redisx.NewPool("redis+sentinel://:s3cret@h1:26379", 1); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("NewPool of a sentinel URL without a master: %v", err)
	}
}

func TestRedactSentinelURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis+sentinel://:s3cret@h1:1,h2:2/m/0":                          "redis+sentinel://:xxxxx@h1:1,h2:2/m/0",
		"redis+sentinel://app:s3cret@h1:1/m?sentinel_password=s3cret&a=b": "redis+sentinel://app:xxxxx@h1:1/m?sentinel_password=xxxxx&a=b",
		"redis+sentinel://s3cret@h1/m":                                    "redis+sentinel://xxxxx@h1/m",
		"redis+sentinel://h1:1,h2:2/m":                                    "redis+sentinel://h1:1,h2:2/m",
		"redis+sentinel://:s3c@ret@h1/m":                                  "redis+sentinel://:xxxxx@h1/m",
	} {
		if got := redisx.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A dial that fails names the sentinels and what each said, never a password.
func TestSentinelDialErrorHidesPasswords(t *testing.T) {
	url := "redis+sentinel://:s3cret@127.0.0.1:1,127.0.0.1:2/mymaster/0?sentinel_password=t0psecret"
	p, err := redisx.NewPool(url, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = redisx.Ping(ctx, p)
	if err == nil || !strings.Contains(err.Error(), "sentinel 127.0.0.1:1:") || !strings.Contains(err.Error(), "sentinel 127.0.0.1:2:") {
		t.Fatalf("Ping through dead sentinels: %v; want an error naming each sentinel", err)
	}
	if _, err2 := redisx.DialPubSub(ctx, url); err2 == nil || strings.Contains(err2.Error(), "s3cret") || strings.Contains(err2.Error(), "t0psecret") {
		t.Fatalf("DialPubSub through dead sentinels: %v", err2)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "t0psecret") {
		t.Fatalf("the error leaks a password: %v", err)
	}
	t.Log(err)
}
