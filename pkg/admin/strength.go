package admin

import (
	"fmt"
	"strings"

	"github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/match"
)

// MinPasswordScore is the zxcvbn score (0 to 4) the admin password must reach: 4, "very
// unguessable". The admin can delete every project and key, and a length rule alone let
// "aaaaaaaaaaaa" and "password1234" in.
const MinPasswordScore = 4

// passwordContext are words an attacker tries first against this service.
var passwordContext = []string{"simvid", "admin", "slideshow", "video"}

// passwordWeakness returns why password is too easy to guess, or "" when it is strong
// enough. The reason never repeats the password, since it ends up in logs.
func passwordWeakness(password string) string {
	if r := []rune(password); len(r) > 100 {
		password = string(r[:100]) // the estimate's cost grows with length; 100 characters tell enough
	}
	res := zxcvbn.PasswordStrength(password, passwordContext)
	if res.Score >= MinPasswordScore {
		return ""
	}
	var why []string
	seen := map[string]bool{}
	for _, m := range res.MatchSequence {
		if r := matchReason(m); r != "" && !seen[r] {
			seen[r] = true
			why = append(why, r)
		}
	}
	if len(why) == 0 {
		why = []string{"it is too short for the few kinds of characters it uses"}
	}
	return fmt.Sprintf("%s (strength %d of 4, it must be 4)", strings.Join(why, "; "), res.Score)
}

// matchReason says in words what kind of guessable pattern zxcvbn found in the password.
func matchReason(m match.Match) string {
	switch m.Pattern {
	case "dictionary":
		switch m.DictionaryName {
		case "Passwords":
			return "it is or contains a common password"
		case "user_inputs":
			return "it contains the name of this service or of the role (simvid, admin)"
		}
		return "it is made of common words or names"
	case "repeat":
		return "it repeats the same characters"
	case "sequence":
		return "it contains a sequence such as abcd or 1234"
	case "spatial":
		return "it contains neighbouring keys such as qwerty or 2580"
	case "date":
		return "it contains a date"
	}
	return ""
}
