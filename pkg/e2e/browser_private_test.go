package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPrivateMode: with api.private on, a visitor is told as the page opens that
// logging in is needed, and adding a photo still asks;
// the operator logs in, makes an API key in the admin (its secret shown once), and back on
// the page can make a slideshow.
func TestBrowserPrivateMode(t *testing.T) {
	const password = "admin password for the private test"
	s := startAll(t, "", "SIMVID_ADMIN_PASSWORD="+password, "SIMVID_API_PRIVATE=true")
	ctx := openPage(t, 1280, 900)
	pics := pictures(t, t.TempDir(), "red", "blue")

	// The page says so as it opens, before the visitor tries anything.
	step(t, ctx, "visitor opens the page", 30*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second))
	if !eval[bool](t, ctx, `!document.getElementById('login-needed').hidden && document.getElementById('login-needed').offsetHeight > 0`) {
		t.Fatal("the page opened in private mode without saying that logging in is needed")
	}
	step(t, ctx, "visitor is asked to log in", 30*time.Second,
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), pics[:1]),
		until(`!document.getElementById('login-needed').hidden`, 15*time.Second))
	if n := eval[int](t, ctx, `document.querySelectorAll('.slide[data-slide-id]').length`); n != 0 {
		t.Fatalf("%d slides made in private mode without logging in", n)
	}

	step(t, ctx, "log in and make a key", 30*time.Second, chromedp.Navigate(s.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#dashboard")),
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="keys"]`)),
		chromedp.WaitVisible(chromedp.CSS("#key-form")),
		chromedp.SendKeys(chromedp.CSS("#key-name"), "<b>shop</b>"),
		chromedp.Click(chromedp.CSS(`#key-form button[type="submit"]`)),
		until(`!document.getElementById('key-secret').hidden && document.querySelector('#key-secret code').textContent.startsWith('sk_')`, 10*time.Second),
		until(`document.querySelector('#key-table tbody td') && document.querySelector('#key-table tbody td').textContent === '<b>shop</b>'`, 10*time.Second))

	step(t, ctx, "logged in, the page works", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), pics),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2`, 30*time.Second))
	if !eval[bool](t, ctx, `document.getElementById('login-needed').hidden`) {
		t.Error("the login note is still shown after logging in")
	}
}
