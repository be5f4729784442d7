package jobs

import (
	"context"
	"slices"
	"testing"
	"time"
)

// Music pieces claimed by one process are held for the others until released, and stay held
// past the claim's ttl while it is renewed (an encoder may run longer than the ttl); a release
// frees only the releaser's claims.
func TestPieceLocks(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	one := pieceLocks{pool: pool, owner: "one", ttl: 300 * time.Millisecond}
	two := pieceLocks{pool: pool, owner: "two", ttl: 300 * time.Millisecond}
	held, releaseOne, err := one.Claim(ctx, []string{"a", "b"})
	if err != nil || !slices.Equal(held, []bool{false, false}) {
		t.Fatalf("first claim: held %v, %v", held, err)
	}
	held, releaseTwo, err := two.Claim(ctx, []string{"b", "c"})
	if err != nil || !slices.Equal(held, []bool{true, false}) {
		t.Fatalf("second claim: held %v (want b held by the first), %v", held, err)
	}
	time.Sleep(time.Second) // over three ttls: renewed
	if held, err := two.Held(ctx, []string{"a", "b", "c", "d"}); err != nil || !slices.Equal(held, []bool{true, true, true, false}) {
		t.Fatalf("held after the ttl %v, %v; want a, b and c", held, err)
	}
	releaseOne()
	releaseOne()                       // twice is once
	time.Sleep(400 * time.Millisecond) // a renewal after the release would take them back
	if held, err := two.Held(ctx, []string{"a", "b", "c"}); err != nil || !slices.Equal(held, []bool{false, false, true}) {
		t.Fatalf("held after the first release %v, %v; want only c", held, err)
	}
	releaseTwo()
	if held, err := one.Held(ctx, []string{"c"}); err != nil || held[0] {
		t.Fatalf("c held after its release: %v", err)
	}
}
