package admin

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestVerifier(t *testing.T) {
	const pw = "a long enough password"
	bc, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, password, hash string
	}{
		{"clear", pw, ""},
		{"bcrypt", "", string(bc)},
		{"argon2id", "", HashArgon2(pw, []byte("0123456789abcdef"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check, err := newVerifier(tc.password, tc.hash)
			if err != nil || check == nil {
				t.Fatalf("newVerifier: %v", err)
			}
			for guess, want := range map[string]bool{pw: true, pw + " ": false, "": false, strings.ToUpper(pw): false} {
				if got := check(guess); got != want {
					t.Errorf("check(%q) = %v, want %v", guess, got, want)
				}
			}
		})
	}
}

func TestVerifierRefuses(t *testing.T) {
	if check, err := newVerifier("", ""); check != nil || err != nil {
		t.Fatalf("no password: %v %v (want admin off)", check != nil, err)
	}
	for _, tc := range []struct{ password, hash, want string }{
		{"elevenchars", "", "admin.password (SIMVID_ADMIN_PASSWORD or ADMIN_PASSWORD) is 11 characters long; it must have at least 12"},
		{"twelve chars!", "$2b$10$abc", "not both"},
		{"", "5f4dcc3b5aa765d61d8327deb882cf99", "must be a bcrypt"},
		{"", "$2b$10$tooshort", "not a valid bcrypt hash"},
		{"", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "not a valid argon2id hash"},
		{"", "$argon2id$v=18$m=65536,t=3,p=4$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "unsupported version"},
	} {
		_, err := newVerifier(tc.password, tc.hash)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("newVerifier(%q, %q) = %v, want %q", tc.password, tc.hash, err, tc.want)
		}
	}
}

func TestHumanBytesAndQuantile(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 20: "5 MiB", 3 << 30: "3 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	if q := quantile(xs, 0.5); q != 5 {
		t.Errorf("median = %v", q)
	}
	if q := quantile(xs, 0.95); q != 10 {
		t.Errorf("p95 = %v", q)
	}
	if q := quantile(nil, 0.5); q != 0 {
		t.Errorf("empty = %v", q)
	}
}
