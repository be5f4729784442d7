package security

import (
	"bufio"
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

// file is one part of a multipart upload.
type file struct {
	Field, Name string
	Data        []byte
}

// multipartBody builds a multipart body of files (and value fields when Name is "").
func multipartBody(t testing.TB, files ...file) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range files {
		var pw io.Writer
		var err error
		if f.Name == "" {
			pw, err = w.CreateFormField(f.Field)
		} else {
			pw, err = w.CreateFormFile(f.Field, f.Name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// upload posts files as multipart/form-data.
func upload(t testing.TB, url string, files []file, hdr ...string) answer {
	t.Helper()
	body, ctype := multipartBody(t, files...)
	return call(t, http.MethodPost, url, body, append([]string{"Content-Type", ctype}, hdr...)...)
}

// jpegOf encodes a w x h picture; noisy pictures compress badly and so are big and slow to decode.
func jpegOf(t testing.TB, w, h int, noisy bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{uint8(x), uint8(y), 128, 255}
			if noisy {
				c = color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newProject makes a project (with hdr, e.g. an API key) and returns its id.
func newProject(t testing.TB, s *server, hdr ...string) string {
	t.Helper()
	a := call(t, http.MethodPost, s.URL+"/api/v1/projects", nil, hdr...)
	id, _ := a.JSON()["id"].(string)
	if a.Status != http.StatusCreated || id == "" {
		t.Fatalf("create project: %s", a)
	}
	return id
}

// projectWithPicture makes a project holding one small picture named name; it returns the
// project id and the picture's asset id.
func projectWithPicture(t testing.TB, s *server, name string, hdr ...string) (pid, asset string) {
	t.Helper()
	pid = newProject(t, s, hdr...)
	a := upload(t, s.URL+"/api/v1/projects/"+pid+"/images", []file{{"images", name, jpegOf(t, 64, 48, false)}}, hdr...)
	if a.Status != http.StatusOK {
		t.Fatalf("upload %q: %s", name, a)
	}
	p, _ := a.JSON()["project"].(map[string]any)
	slides, _ := p["slides"].([]any)
	if len(slides) != 1 {
		t.Fatalf("upload %q: %s", name, a)
	}
	asset, _ = slides[0].(map[string]any)["asset"].(string)
	return pid, asset
}

// adminSession is a logged-in admin: its cookie and CSRF token.
type adminSession struct {
	Cookie, CSRF string
}

// login logs in to the admin once per server.
func (s *server) login(t testing.TB) *adminSession {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin != nil {
		return s.admin
	}
	a := call(t, http.MethodPost, s.URL+"/admin/login", map[string]string{"password": adminPassword})
	token, _ := a.JSON()["csrf_token"].(string)
	var cookie string
	for _, c := range (&http.Response{Header: a.Header}).Cookies() {
		if c.Name == "simvid_admin" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if a.Status != http.StatusOK || token == "" || cookie == "" {
		t.Fatalf("admin login: %s", a)
	}
	s.admin = &adminSession{Cookie: cookie, CSRF: token}
	return s.admin
}

// adminCall is a change by the logged-in admin, with its cookie, token and own Origin.
func (s *server) adminCall(t testing.TB, method, path string, body any) answer {
	t.Helper()
	as := s.login(t)
	return call(t, method, s.URL+path, body, "Cookie", as.Cookie, "X-CSRF-Token", as.CSRF, "Origin", s.URL)
}

// newKey makes an API key in the admin and returns the Authorization header pair's value.
func (s *server) newKey(t testing.TB, opts map[string]any) string {
	t.Helper()
	a := s.adminCall(t, http.MethodPost, "/admin/api/keys", opts)
	secret, _ := a.JSON()["secret"].(string)
	if a.Status != http.StatusCreated || !strings.HasPrefix(secret, "sk_") {
		t.Fatalf("create key: %s", a)
	}
	return "Bearer " + secret
}
