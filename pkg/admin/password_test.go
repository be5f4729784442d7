package admin

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestVerifier(t *testing.T) {
	const pw = "a long enough password, and odd"
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

// Long enough is not enough: a password an attacker guesses early is refused with the
// reason and what to do instead, and the message never repeats the password.
func TestVerifierRefusesWeakPasswords(t *testing.T) {
	for pw, why := range map[string]string{
		"aaaaaaaaaaaa":      "it repeats the same characters",
		"password1234":      "it is or contains a common password",
		"P@ssw0rd2024!":     "it is or contains a common password",
		"Summer2024!!":      "it is or contains a common password",
		"qwertyuiop12":      "it is or contains a common password",
		"abcdefghijkl":      "it contains a sequence such as abcd or 1234",
		"123456789012":      "it contains a sequence such as abcd or 1234",
		"simvid-admin-2026": "it contains the name of this service or of the role (simvid, admin)",
		"letmeinletmein":    "common password",
		"monkey dragon 1":   "common password",
	} {
		_, err := newVerifier(pw, "")
		if err == nil {
			t.Errorf("newVerifier(%q) accepted it", pw)
			continue
		}
		msg := err.Error()
		for _, want := range []string{"admin.password (SIMVID_ADMIN_PASSWORD or ADMIN_PASSWORD) is too easy to guess", why,
			"must be 4", "Choose four or more unrelated words, or 16 random characters"} {
			if !strings.Contains(msg, want) {
				t.Errorf("newVerifier(%q) = %q, want it to say %q", pw, msg, want)
			}
		}
		if strings.Contains(msg, pw) {
			t.Errorf("the refusal repeats the password: %q", msg)
		}
	}
	for _, pw := range []string{"correct horse battery staple", "admin password for the e2e test", "x7#Kq9!mZ2@wLp", "Ydq3-Vw8n-Gh2c"} {
		if _, err := newVerifier(pw, ""); err != nil {
			t.Errorf("newVerifier(%q): %v", pw, err)
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
