package security

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// probe is one attack on the real server and what it must meet.
type probe struct {
	name     string
	expected string
	run      func(t *testing.T, s *server)
	// fixing marks the probes of issue 17's "broken today" list: they fail until the fixes
	// of the other branches are merged.
	fixing bool
}

// shared is run against one `simvid all` with default settings, an admin password, direct
// media links on and generous rate limits. The order is the run's order.
var shared = []probe{
	{"id-enumeration", "guessed and neighbouring ids: 404 on every route; ids are 128 random bits", probeIDs, false},
	{"path-traversal", "../, %2e%2e, %2f, backslash and absolute paths in every file route: 400/404, no file served", probeTraversal, false},
	{"csrf-admin", "every admin change without token, with a foreign Origin or cross-site: 403, nothing changed", probeCSRF, false},
	{"stored-xss", "script in title, end, captions, file names, music name, key name: never runs in admin or page (Chromium)", probeXSS, false},
	{"ssrf-links", "loopback, 169.254.169.254, [::1], 2130706433, 0x7f.1, [::ffff:127.0.0.1], localhost in music and picture links: 422 or failed, never fetched", probeSSRF, false},
	{"filter-injection", "' : \\ ; [ ] %{ } in captions, titles, file names: render done (or a clean 422)", probeFilters, false},
	{"decompression-bomb", "PNG of 100000x100000 and JPEG of 65000x65000 headers: 413/422 at once, server stays fast", probeBombs, false},
	{"polyglot", "JPEG+zip, JPEG+HTML: never served as HTML (image type + nosniff); HTML named .jpg: 415", probePolyglots, false},
	{"foreign-audio-id", "another owner's audio_id in /generate_video and in a spec: 404", probeForeignAudio, true},
	{"id3-hls-polyglot", "ID3+HLS \"MP3\" naming an existing or a missing local file: the same answer", probeHLS, true},
	{"idempotency-anonymous", "two anonymous clients of one IP reusing Idempotency-Key order-1234: never the other's answer", probeIdempotency, true},
	{"unknown-json-fields", "unknown top-level JSON fields: 4xx naming the field", probeUnknownFields, true},
	{"webhook-loopback", "callback_url to loopback, [::1], 169.254.169.254, localhost: 422 at request time", probeWebhook, true},
	{"chunked-over-quota", "chunked upload past a key's storage_bytes: refused, nothing left on disk", probeChunkedQuota, true},
}

// limited is run against a second server: a project limit of 2 pictures, loopback links
// allowed for 127.0.0.1 only (to serve hanging music and redirects), and 127.0.0.1 as a
// trusted proxy (to speak for IPv6 clients). Its probes hold many sockets of one address.
var limited = []probe{
	{"ssrf-redirect", "an allowed link redirecting to 127.0.0.2, [::1], 169.254.169.254: failed, never fetched", probeRedirect, false},
	{"project-limit-decodes", "limit 2, one request of 30 pictures: 2 taken, 28 refused with a reason, ffmpeg run for 2 only", probeProjectLimit, true},
	{"sse-cap", "150 progress streams from one address: capped (429), another address still gets one", probeSSECap, true},
	{"ipv6-64-render-cap", "3 renders from 3 addresses of one IPv6 /64: the third 429", probeIPv6Cap, true},
	{"slow-body", "200 slow-body sockets from one address closed within 40 s; another address's /healthz, page, API < 1 s", probeSlowBody, true},
	{"connection-cap", "300 connections from one address: not all held; another address still served < 1 s", probeConnCap, true},
}

// alone are probes that start the binary themselves.
var alone = []probe{
	{"weak-admin-password", "admin password password1234 or aaaaaaaaaaaa: simvid refuses to start, naming the setting", probeWeakPassword, true},
}

type result struct {
	probe
	passed  bool
	skipped bool
	took    time.Duration
}

// TestSecurity runs every probe as a subtest (so a failure names its probe) and prints the
// table: probe, expected, result.
func TestSecurity(t *testing.T) {
	if testing.Short() {
		t.Skip("the security suite starts the real binary")
	}
	var mu sync.Mutex
	var results []result
	runAll := func(t *testing.T, s *server, probes []probe) {
		for _, p := range probes {
			began := time.Now()
			var skipped bool
			ok := t.Run(p.name, func(t *testing.T) {
				defer func() { skipped = t.Skipped() }()
				p.run(t, s)
			})
			mu.Lock()
			results = append(results, result{p, ok, skipped, time.Since(began)})
			mu.Unlock()
		}
	}
	t.Run("probes", func(t *testing.T) {
		t.Run("shared", func(t *testing.T) {
			t.Parallel()
			runAll(t, start(t, generous...), shared)
		})
		t.Run("limited", func(t *testing.T) {
			t.Parallel()
			runAll(t, startCounting(t, append(generous, "SIMVID_LIMITS_IMAGES_PER_PROJECT=2",
				"SIMVID_LINKS_ALLOW_NETWORKS=127.0.0.1/32", "SIMVID_TRUSTED_PROXIES=127.0.0.1/32")...), limited)
		})
		t.Run("alone", func(t *testing.T) {
			t.Parallel()
			runAll(t, nil, alone)
		})
	})
	report(t, results)
}

// report prints the table in the test log and on stdout, and writes it to
// $SIMVID_SECURITY_REPORT when that is set.
func report(t *testing.T, results []result) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "probe\texpected\tresult\ttime")
	failedFixing := 0
	for _, r := range results {
		res := "PASS"
		switch {
		case r.skipped:
			res = "SKIP"
		case !r.passed:
			res = "FAIL"
			if r.fixing {
				failedFixing++
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%.1fs\n", r.name, r.expected, res, r.took.Seconds())
	}
	_ = w.Flush()
	t.Logf("security suite:\n%s", b.String())
	fmt.Print("security suite:\n" + b.String())
	if failedFixing > 0 {
		fmt.Printf("%d failing probes are issue 17's open items (fixed in other branches)\n", failedFixing)
	}
	if path := os.Getenv("SIMVID_SECURITY_REPORT"); path != "" {
		_ = os.WriteFile(path, []byte(b.String()), 0o644)
	}
}
