// Package webhook signs and sends the calls simvid makes when a render finishes, and refuses
// to connect to addresses inside the operator's network unless the operator allows them.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header carries the signature: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
const Header = "Simvid-Signature"

// Sign returns the v1 signature of body sent at unix time t.
func Sign(secret string, t int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// HeaderValue is the Simvid-Signature header of body sent at t.
func HeaderValue(secret string, t time.Time, body []byte) string {
	ts := t.Unix()
	return fmt.Sprintf("t=%d,v1=%s", ts, Sign(secret, ts, body))
}

// Verify checks a Simvid-Signature header against body, refusing a timestamp further than
// tolerance from now (replays). It is what a receiver written in Go would run.
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts int64
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts, _ = strconv.ParseInt(v, 10, 64)
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == 0 || len(sigs) == 0 {
		return errors.New("webhook: malformed signature header")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: timestamp outside the tolerance")
	}
	want := Sign(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook: signature does not match")
}
