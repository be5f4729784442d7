package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDumpHidesSecrets(t *testing.T) {
	c := Default()
	c.Admin.Password = "hunter2-clear"
	c.Admin.PasswordHash = "$2a$10$hashhashhash"
	c.RedisURL = "redis://default:redispw@redis:6379/0"
	c.DatabaseURL = "postgres://simvid:dbpw@db/simvid?password=querypw&sslmode=disable"
	out := c.Dump()
	for _, secret := range []string{"hunter2-clear", "hashhashhash", "redispw", "dbpw", "querypw"} {
		if strings.Contains(out, secret) {
			t.Errorf("dump leaks %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"password: '***'", "password_hash: '***'", "redis://default:***@redis:6379/0", "sslmode=disable", "file_bytes: 25MiB", "project_ttl: 720h", "other_daily: 10000-D"} {
		if !strings.Contains(out, want) {
			t.Errorf("dump lacks %q:\n%s", want, out)
		}
	}

	c.RedisURL = "redis+sentinel://:redispw3@s1:26379,s2:26379/simvid/1?sentinel_password=sentpw"
	if out := c.Dump(); strings.Contains(out, "redispw3") || strings.Contains(out, "sentpw") ||
		!strings.Contains(out, "redis+sentinel://:***@s1:26379,s2:26379/simvid/1?sentinel_password=***") {
		t.Errorf("dump of a sentinel URL:\n%s", out)
	}

	c.DatabaseURL = "host=db user=simvid password=dbpw2 dbname=simvid"
	if out := c.Dump(); strings.Contains(out, "dbpw2") || !strings.Contains(out, "password=***") {
		t.Errorf("dump of a key=value DSN:\n%s", out)
	}
}

// Without secrets, a dump is a settings file that loads back to the same values.
func TestDumpLoadsBack(t *testing.T) {
	odd := Default()
	odd.TrustedProxies = []string{"10.0.0.0/8", "::1"}
	odd.Addr = "8080" // Dump shows any value, even one Validate refuses
	odd.DataDir = "true"
	odd.Limits.FileBytes = 1234
	odd.Jobs.Backoff = 1500 * time.Millisecond
	for _, want := range []*Config{Default(), odd} {
		got := Default()
		if err := decodeYAML([]byte(want.Dump()), got); err != nil {
			t.Fatalf("dump does not load: %v\n%s", err, want.Dump())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip differs:\n%s\n%s", got.Dump(), want.Dump())
		}
	}
}
