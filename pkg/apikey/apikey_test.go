package apikey_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func TestCreateAuthenticateRevoke(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys := &apikey.Keys{Store: st}
	k, err := keys.Create(ctx, apikey.Options{Name: " shop ", RateLimit: "600-M", RendersPerDay: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Secret, "sk_") || len(k.Secret) != 46 || !strings.HasPrefix(k.WebhookSecret, "whsec_") ||
		k.Prefix != k.Secret[:11] || k.Name != "shop" {
		t.Fatalf("created %+v", k)
	}
	stored, _ := st.GetAPIKey(ctx, k.ID)
	if stored.Hash != apikey.Hash(k.Secret) || strings.Contains(stored.Hash, k.Secret[3:]) {
		t.Fatalf("stored hash %q", stored.Hash)
	}
	got, err := keys.Authenticate(ctx, k.Secret)
	if err != nil || got.ID != k.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	if used, _ := st.GetAPIKey(ctx, k.ID); used.LastUsedAt == nil {
		t.Fatal("last use not recorded")
	}
	for _, bad := range []string{"", "sk_", k.Secret + "x", "Bearer " + k.Secret, strings.Repeat("s", 200)} {
		if _, err := keys.Authenticate(ctx, bad); simvid.ErrorCode(err) != simvid.EUnauthorized {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
	if _, err := keys.Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(ctx, k.Secret); simvid.ErrorCode(err) != simvid.EUnauthorized {
		t.Fatalf("revoked key: %v", err)
	}
	// A webhook URL the sender would refuse (loopback, private, metadata) is refused now.
	for _, o := range []apikey.Options{{RateLimit: "fast"}, {WebhookURL: "ftp://x"}, {WebhookURL: "https://u:p@x.example"}, {RendersPerDay: -1},
		{WebhookURL: "http://127.0.0.1:9/hook"}, {WebhookURL: "http://169.254.169.254/"}, {WebhookURL: "http://localhost/hook"}} {
		if _, err := keys.Create(ctx, o); simvid.ErrorCode(err) != simvid.EUnprocessable {
			t.Errorf("Create(%+v) = %v", o, err)
		}
	}
}
