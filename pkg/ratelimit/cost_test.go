package ratelimit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
)

// costEcho serves POST /upload under the upload bucket: the handler reads the whole body and
// charges the pixels named in X-Pixels, as the image upload handler charges what intake decoded.
func costEcho(t *testing.T, cfg ratelimit.Config) *echo.Echo {
	e := echo.New()
	e.IPExtractor = ratelimit.IPExtractor(nil)
	l := newLimiter(t, newPool(t, backends[0].start(t)), cfg)
	e.POST("/upload", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		px, _ := strconv.ParseInt(c.Request().Header.Get("X-Pixels"), 10, 64)
		ratelimit.ChargePixels(c, px)
		return c.String(http.StatusOK, "ok")
	}, l.Middleware(ratelimit.BucketUpload))
	return e
}

func upload(e http.Handler, peer string, size int, pixels int64, chunked bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(strings.Repeat("x", size)))
	if chunked {
		req.ContentLength = -1 // the size is known only once the body is read
	}
	req.RemoteAddr = peer + ":40000"
	req.Header.Set("X-Pixels", strconv.FormatInt(pixels, 10))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// wantBudget429 checks a refusal: 429 JSON rate_limited naming the limit, with Retry-After.
func wantBudget429(t *testing.T, rec *httptest.ResponseRecorder, what string, says ...string) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("%s: status %d (%s), want 429", what, rec.Code, rec.Body)
	}
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 3600 {
		t.Fatalf("%s: Retry-After %q", what, rec.Header().Get("Retry-After"))
	}
	body := decodeError(t, rec)
	if body.Error.Code != simvid.ERateLimited {
		t.Fatalf("%s: code %q", what, body.Error.Code)
	}
	for _, s := range says {
		if !strings.Contains(body.Error.Message, s) {
			t.Fatalf("%s: message %q does not say %q", what, body.Error.Message, s)
		}
	}
}

// The byte budget counts the bytes of upload bodies, not requests: a body that does not fit
// in what is left is refused before it is read, one that fits is taken, and bodies of unknown
// length are counted as they are read.
func TestUploadByteBudget(t *testing.T) {
	cfg := ratelimit.DefaultConfig()
	cfg.UploadBytes, cfg.UploadPixels = "1KB-H", ""
	e := costEcho(t, cfg)
	for i := range 5 { // many requests are fine while the bytes are few
		if rec := upload(e, "203.0.113.5", 100, 0, false); rec.Code != http.StatusOK {
			t.Fatalf("upload %d of 100 bytes: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	wantBudget429(t, upload(e, "203.0.113.5", 600, 0, false), "600 bytes with 500 left",
		"Upload limit reached: at most 1 KB per hour (rate_limits.upload_bytes)", "500 bytes left", "try again in ")
	if rec := upload(e, "203.0.113.5", 400, 0, true); rec.Code != http.StatusOK {
		t.Fatalf("400 bytes of unknown length with 500 left: %d %s", rec.Code, rec.Body)
	}
	if rec := upload(e, "203.0.113.5", 200, 0, true); rec.Code != http.StatusOK {
		t.Fatalf("200 bytes with 100 left, length unknown: %d %s", rec.Code, rec.Body)
	}
	// Now past the budget (1100 of 1000): even a body of unknown length is refused.
	wantBudget429(t, upload(e, "203.0.113.5", 1, 0, true), "after the budget is spent",
		"at most 1 KB per hour (rate_limits.upload_bytes); try again in ")
	if rec := upload(e, "203.0.113.6", 900, 0, false); rec.Code != http.StatusOK {
		t.Fatalf("another client: %d %s", rec.Code, rec.Body)
	}
}

// The pixel budget counts what the handler charges after decoding.
func TestUploadPixelBudget(t *testing.T) {
	cfg := ratelimit.DefaultConfig()
	cfg.UploadBytes, cfg.UploadPixels = "", "2MP-H"
	e := costEcho(t, cfg)
	for i := range 2 {
		if rec := upload(e, "198.51.100.9", 10, 1_200_000, false); rec.Code != http.StatusOK {
			t.Fatalf("picture %d of 1.2 MP: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	wantBudget429(t, upload(e, "198.51.100.9", 10, 1, false), "past 2 MP",
		"at most 2 megapixels of pictures per hour (rate_limits.upload_pixels)")
	if rec := upload(e, "198.51.100.10", 10, 1_900_000, false); rec.Code != http.StatusOK {
		t.Fatalf("another client: %d %s", rec.Code, rec.Body)
	}
}

// The default budgets hold the page's heaviest normal use: 200 phone photos (5 MB, 12 MP)
// dropped at once, one request each.
func TestDefaultBudgetsHold200PhonePhotos(t *testing.T) {
	cfg := ratelimit.DefaultConfig()
	bytes, err := ratelimit.ParseBytesRate("upload_bytes", cfg.UploadBytes)
	if err != nil {
		t.Fatal(err)
	}
	pixels, err := ratelimit.ParsePixelsRate("upload_pixels", cfg.UploadPixels)
	if err != nil {
		t.Fatal(err)
	}
	count, err := ratelimit.ParseRate("upload", cfg.Upload)
	if err != nil {
		t.Fatal(err)
	}
	if count.Limit < 400 || bytes.Limit < 200*5e6*2 || pixels.Limit < 200*12e6*2 {
		t.Fatalf("default upload limits %s, %s, %s hold fewer than 400 phone photos an hour", cfg.Upload, cfg.UploadBytes, cfg.UploadPixels)
	}
}

func TestParseAmountRates(t *testing.T) {
	for s, want := range map[string]int64{"2GB-H": 2e9, "512MiB-M": 512 << 20, "1.5KB-S": 1500, "100-D": 100, " 3 gb - h ": 3e9} {
		r, err := ratelimit.ParseBytesRate("upload_bytes", s)
		if err != nil || r.Limit != want {
			t.Errorf("ParseBytesRate(%q) = %d, %v; want %d", s, r.Limit, err, want)
		}
	}
	if r, err := ratelimit.ParsePixelsRate("upload_pixels", "6000MP-H"); err != nil || r.Limit != 6e9 {
		t.Errorf("6000MP-H = %d, %v", r.Limit, err)
	}
	for _, s := range []string{"", "2GB", "2GB/H", "0GB-H", "-1GB-H", "2XB-H", "2GB-W", "GB-H", "0.1B-H"} {
		if _, err := ratelimit.ParseBytesRate("upload_bytes", s); !simvid.IsCode(err, simvid.EInvalid) ||
			!strings.Contains(simvid.ErrorMessage(err), "rate limit for upload_bytes") {
			t.Errorf("ParseBytesRate(%q): %v", s, err)
		}
	}
	if _, err := ratelimit.ParsePixelsRate("upload_pixels", "6000GB-H"); err == nil {
		t.Error("a pixel budget in GB was taken")
	}
}
