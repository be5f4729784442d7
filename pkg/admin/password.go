package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is the shortest admin password accepted in clear.
const MinPasswordLength = 12

// verifier checks a password against the configured one, always in constant time for a
// given configuration: a wrong guess and a right one take as long.
type verifier func(password string) bool

// newVerifier builds the check from the configuration: a clear password (at least
// MinPasswordLength characters and hard to guess, see passwordWeakness) or a bcrypt ($2a$, $2b$, $2y$) or argon2id hash.
func newVerifier(password, hash string) (verifier, error) {
	switch {
	case password != "" && hash != "":
		return nil, fmt.Errorf("admin: set admin.password or admin.password_hash, not both")
	case password != "":
		if n := len([]rune(password)); n < MinPasswordLength {
			return nil, fmt.Errorf("admin: admin.password (SIMVID_ADMIN_PASSWORD or ADMIN_PASSWORD) is %d characters long; it must have at least %d", n, MinPasswordLength)
		}
		if why := passwordWeakness(password); why != "" {
			return nil, fmt.Errorf("admin: admin.password (SIMVID_ADMIN_PASSWORD or ADMIN_PASSWORD) is too easy to guess: %s. "+
				"Choose four or more unrelated words, or 16 random characters (openssl rand -base64 16)", why)
		}
		want := sha256.Sum256([]byte(password))
		return func(p string) bool {
			got := sha256.Sum256([]byte(p)) // equal lengths, so the compare is constant-time
			return subtle.ConstantTimeCompare(got[:], want[:]) == 1
		}, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("admin: admin.password_hash (SIMVID_ADMIN_PASSWORD_HASH) is not a valid bcrypt hash: %v", err)
		}
		h := []byte(hash)
		return func(p string) bool { return bcrypt.CompareHashAndPassword(h, []byte(p)) == nil }, nil
	case strings.HasPrefix(hash, "$argon2id$"):
		a, err := parseArgon2(hash)
		if err != nil {
			return nil, fmt.Errorf("admin: admin.password_hash (SIMVID_ADMIN_PASSWORD_HASH) is not a valid argon2id hash: %v", err)
		}
		return a.verify, nil
	case hash != "":
		return nil, fmt.Errorf("admin: admin.password_hash (SIMVID_ADMIN_PASSWORD_HASH) must be a bcrypt ($2b$...) or argon2id ($argon2id$...) hash")
	}
	return nil, nil // admin off
}

// argon2Hash is a PHC-format argon2id hash: $argon2id$v=19$m=65536,t=3,p=4$salt$key.
type argon2Hash struct {
	mem, time uint32
	threads   uint8
	salt, key []byte
}

func parseArgon2(s string) (*argon2Hash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, fmt.Errorf("want $argon2id$v=19$m=...,t=...,p=...$salt$hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return nil, fmt.Errorf("unsupported version %q", parts[2])
	}
	a := &argon2Hash{}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &a.mem, &a.time, &a.threads); err != nil {
		return nil, fmt.Errorf("parameters %q: %v", parts[3], err)
	}
	if a.mem == 0 || a.time == 0 || a.threads == 0 || a.mem > 4<<20 {
		return nil, fmt.Errorf("parameters %q out of range", parts[3])
	}
	var err error
	if a.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return nil, fmt.Errorf("salt: %v", err)
	}
	if a.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(a.key) < 16 {
		return nil, fmt.Errorf("key: %v", err)
	}
	return a, nil
}

func (a *argon2Hash) verify(p string) bool {
	got := argon2.IDKey([]byte(p), a.salt, a.time, a.mem, a.threads, uint32(len(a.key)))
	return subtle.ConstantTimeCompare(got, a.key) == 1
}

// HashArgon2 returns a PHC-format argon2id hash of password with the given salt, for tests
// and for operators who want to make one (RFC 9106 second recommended parameters).
func HashArgon2(password string, salt []byte) string {
	const mem, t, p = 64 << 10, 3, 4
	key := argon2.IDKey([]byte(password), salt, t, mem, p, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, t, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}
