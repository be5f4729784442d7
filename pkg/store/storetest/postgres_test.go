package storetest_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/simvid/simvid/pkg/store/storetest"
)

func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestStartPostgres(t *testing.T) {
	var u string
	t.Run("server", func(t *testing.T) {
		u = storetest.StartPostgres(t)
		c := connect(t, u)
		var v string
		if err := c.QueryRow(context.Background(), "SHOW fsync").Scan(&v); err != nil || v != "off" {
			t.Fatalf("SHOW fsync = %q, %v", v, err)
		}

		// Schemas isolate tests that share the server.
		a, b := connect(t, storetest.FreshSchema(t, u)), connect(t, storetest.FreshSchema(t, u))
		if _, err := a.Exec(context.Background(), "CREATE TABLE only_in_a (x int)"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Exec(context.Background(), "SELECT * FROM only_in_a"); err == nil {
			t.Fatal("table of schema a visible from schema b")
		}

		// SIMVID_TEST_DATABASE_URL makes StartPostgres hand out schemas of that server.
		t.Setenv(storetest.EnvURL, u+"&pool_max_conns=3")
		env := storetest.StartPostgres(t)
		pu, _ := url.Parse(env)
		if pu.Host != mustParse(t, u).Host || pu.Query().Get("search_path") == "" {
			t.Fatalf("env URL %q: want a schema on %q", env, u)
		}
	})
	// Cleanup stopped the server.
	if c, err := pgx.Connect(context.Background(), u); err == nil {
		c.Close(context.Background())
		t.Fatal("server still accepts connections after cleanup")
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
