package security

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// xssPayloads would each set window.__pwned and the page's title if any markup of them ran.
var xssPayloads = []string{
	`<img src=x onerror="window.__pwned=1;document.title='pwned'">`,
	`"><svg onload="window.__pwned=2;document.title='pwned'">`,
	`</textarea></title><script>window.__pwned=3;document.title='pwned'</script>`,
	`javascript:window.__pwned=4//<iframe srcdoc="<script>parent.__pwned=5</script>">`,
}

// untouched is true in a document where no payload became markup or ran.
const untouched = `window.__pwned === undefined && document.title !== 'pwned' &&
	document.querySelectorAll('[onerror],[onload],iframe[srcdoc],img[src="x"]').length === 0 &&
	![...document.scripts].some(s => s.textContent.includes('__pwned'))`

// probeXSS stores hostile markup in every string a user chooses (the title and end texts, a
// caption, picture and music file names, an API key's name), then opens the admin and the
// page on that project in Chromium and checks none of it ran or became markup, and that the
// strings show as text.
func probeXSS(t *testing.T, s *server) {
	testutil.Need(t, "chromium")
	dir := t.TempDir()
	pid := newProject(t, s)
	var files []file
	for i, p := range xssPayloads {
		files = append(files, file{"images", p + ".jpg", jpegOf(t, 64, 48, i%2 == 0)})
	}
	a := upload(t, s.URL+"/api/v1/projects/"+pid+"/images", files)
	if a.Status != http.StatusOK {
		t.Fatalf("upload: %s", a)
	}
	slides, _ := a.JSON()["project"].(map[string]any)["slides"].([]any)
	if len(slides) != len(xssPayloads) {
		t.Fatalf("upload took %d of %d pictures: %s", len(slides), len(xssPayloads), a)
	}
	for i, sl := range slides {
		id, _ := sl.(map[string]any)["id"].(string)
		if a := call(t, http.MethodPatch, s.URL+"/api/v1/projects/"+pid+"/slides/"+id, map[string]any{"caption": xssPayloads[i]}); a.Status != http.StatusOK {
			t.Fatalf("caption: %s", a)
		}
	}
	if a := call(t, http.MethodPatch, s.URL+"/api/v1/projects/"+pid+"/settings", map[string]any{
		"title": map[string]any{"text": xssPayloads[0]}, "end": map[string]any{"text": xssPayloads[2]},
		"output": map[string]any{"resolution": "640x480"}}); a.Status != http.StatusOK {
		t.Fatalf("title: %s", a)
	}
	song, err := os.ReadFile(testutil.Tone(t, dir, "song.mp3", 2))
	if err != nil {
		t.Fatal(err)
	}
	if a := upload(t, s.URL+"/api/v1/projects/"+pid+"/music", []file{{"audio", xssPayloads[1] + ".mp3", song}}); a.Status != http.StatusCreated {
		t.Fatalf("music: %s", a)
	}
	s.newKey(t, map[string]any{"name": xssPayloads[0]})

	ctx := testutil.OpenBrowser(t, 1280, 900)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 40*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v; the page shows:\n%.2000s", name, err, testutil.Eval[string](t, ctx, `document.body.innerText`))
		}
	}
	check := func(where string) {
		t.Helper()
		if !testutil.Eval[bool](t, ctx, untouched) {
			t.Errorf("%s: a payload ran or became markup (title %q)", where, testutil.Eval[string](t, ctx, `document.title`))
		}
	}
	step("admin: log in", chromedp.Navigate(s.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#dashboard")))
	step("admin: the project", chromedp.Click(chromedp.CSS(`#tabs [data-tab="projects"]`)),
		chromedp.SendKeys(chromedp.CSS("#project-q"), pid),
		chromedp.Click(chromedp.CSS(`#project-search button[type="submit"]`)),
		testutil.Until(`(() => { const li = document.querySelector('#project-list li[data-id="`+pid+`"]');
			if (li) li.click(); return !!li; })()`, 10*time.Second),
		testutil.Until(`document.querySelectorAll('#project-detail .filename').length >= `+itoa(len(xssPayloads)), 10*time.Second))
	shown := testutil.Eval[string](t, ctx, `[...document.querySelectorAll('#project-detail .filename, #project-detail .caption')].map(e => e.textContent).join('\n')`)
	for _, p := range xssPayloads {
		if !strings.Contains(shown, p) {
			t.Errorf("admin does not show %q as text:\n%s", p, shown)
		}
	}
	check("admin project")
	step("admin: the keys", chromedp.Click(chromedp.CSS(`#tabs [data-tab="keys"]`)),
		testutil.Until(`document.querySelector('#key-table tbody').textContent.includes('__pwned')`, 10*time.Second))
	check("admin keys")
	step("admin: the renders and the audit log", chromedp.Click(chromedp.CSS(`#tabs [data-tab="renders"]`)),
		chromedp.Sleep(500*time.Millisecond), chromedp.Click(chromedp.CSS(`#tabs [data-tab="audit"]`)), chromedp.Sleep(500*time.Millisecond))
	check("admin renders and audit")

	step("page: the project", chromedp.Navigate(s.URL+"/?p="+pid),
		testutil.Until(`document.body.classList.contains('is-ready')`, 15*time.Second),
		testutil.Until(`document.querySelectorAll('.slide[data-slide-id]').length === `+itoa(len(xssPayloads)), 15*time.Second),
		testutil.Until(`document.querySelector('#music-name').textContent.includes('__pwned')`, 20*time.Second))
	names := testutil.Eval[string](t, ctx, `[...document.querySelectorAll('.slide .tile-name')].map(e => e.textContent).join('\n') + '\n' + document.querySelector('#music-name').textContent`)
	for _, p := range xssPayloads {
		if !strings.Contains(names, filepath.Base(p+".jpg")) && !strings.Contains(names, p) {
			t.Errorf("the page does not show %q as text:\n%s", p, names)
		}
	}
	check("page")
}
