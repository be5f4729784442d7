package deploytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// jsonError reads one of nginx's own error answers and checks its shape.
func jsonError(t *testing.T, resp *http.Response, status int, origin bool, code string) {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s: %d %q: want %d application/json", resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), status)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: body is not JSON: %v", resp.Request.URL.Path, err)
	}
	if origin {
		if body["success"] != false || body["error"] == "" {
			t.Errorf("%s: %v: want the original's {success:false, error}", resp.Request.URL.Path, body)
		}
		return
	}
	e, _ := body["error"].(map[string]any)
	if e == nil || e["code"] != code || e["message"] == "" {
		t.Errorf("%s: %v: want {error:{code:%q, message}}", resp.Request.URL.Path, body, code)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID on nginx's own error", resp.Request.URL.Path)
	}
}

func TestNginxErrorsAreJSON(t *testing.T) {
	t.Run("502 when no instance answers", func(t *testing.T) {
		base := startNginx(t, freeAddr(t))
		resp, err := http.Get(base + "/api/v1/renders/r_1")
		if err != nil {
			t.Fatal(err)
		}
		jsonError(t, resp, http.StatusBadGateway, false, "unavailable")
		resp, err = http.Get(base + "/job_status/j1")
		if err != nil {
			t.Fatal(err)
		}
		jsonError(t, resp, http.StatusBadGateway, true, "")
	})
	t.Run("413 over the body cap", func(t *testing.T) {
		base := startNginx(t, fakeSimvid(t, "a", nil))
		for _, c := range []struct {
			path   string
			origin bool
		}{{"/api/v1/projects/p1/images", false}, {"/upload_images", true}} {
			resp := announceHuge(t, base, c.path)
			jsonError(t, resp, http.StatusRequestEntityTooLarge, c.origin, "too_large")
		}
	})
	t.Run("429 past the upload burst", func(t *testing.T) {
		base := startNginx(t, fakeSimvid(t, "a", nil))
		var limited *http.Response
		for i := 0; i < 20 && limited == nil; i++ {
			resp, err := http.Get(base + "/api/v1/projects/p1/images")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode == http.StatusTooManyRequests {
				limited = resp
				break
			}
			resp.Body.Close()
		}
		if limited == nil {
			t.Fatal("20 quick requests to an upload route were all let through: want 429 past a burst of 5")
		}
		if limited.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		jsonError(t, limited, http.StatusTooManyRequests, false, "rate_limited")
	})
}

// announceHuge sends only the headers of a POST announcing 600 MiB: nginx must refuse on
// the header, before any of the body.
func announceHuge(t *testing.T, base, path string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: simvid\r\nContent-Type: multipart/form-data; boundary=x\r\n"+
		"Content-Length: %d\r\n\r\n", path, 600<<20)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+path, nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("POST %s announcing 600 MiB: %v", path, err)
	}
	return resp
}
