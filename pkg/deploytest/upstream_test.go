package deploytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// seen is what the fake simvid reports about the request nginx passed it.
type seen struct {
	Instance    string `json:"instance"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Host        string `json:"host"`
	XFF         string `json:"xff"`
	RealIP      string `json:"real_ip"`
	RequestID   string `json:"request_id"`
	Proto       string `json:"proto"`
	Connection  string `json:"connection"`
	ContentType string `json:"content_type"`
}

// fakeSimvid stands in for `simvid serve`: it answers every request with what it saw, and
// the two event-stream routes with one event, then a second one only after release is
// closed (so a buffering proxy would hold the first back).
func fakeSimvid(t *testing.T, name string, release <-chan struct{}) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/events") || strings.HasPrefix(r.URL.Path, "/progress/") {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "data: one\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			fmt.Fprint(w, "data: two\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{
			Instance: name, Method: r.Method, Path: r.URL.Path, Host: r.Host,
			XFF: r.Header.Get("X-Forwarded-For"), RealIP: r.Header.Get("X-Real-IP"),
			RequestID: r.Header.Get("X-Request-ID"), Proto: r.Header.Get("X-Forwarded-Proto"),
			Connection: r.Header.Get("Connection"), ContentType: r.Header.Get("Content-Type"),
		})
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// get sends a GET with extra headers and decodes what the fake simvid saw.
func get(t *testing.T, url string, headers map[string]string) (*http.Response, seen) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var s seen
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return resp, s
}
