package render

import (
	"strings"
	"testing"
)

func TestEncoderForSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		quality   string
		w, h, fps int
		crf, rate int
	}{
		{"standard", 1920, 1080, 30, 23, 8000},
		{"standard", 1080, 1920, 30, 23, 8000},
		{"standard", 640, 480, 30, 22, 2500},
		{"draft", 1280, 720, 30, 28, 2000},
		{"high", 3840, 2160, 30, 22, 50000},
		{"high", 1920, 1080, 60, 20, 18000},
	}
	for _, c := range cases {
		e, err := EncoderForSize(c.quality, c.w, c.h, c.fps, false)
		if err != nil || e.CRF != c.crf || e.MaxRate != c.rate || e.BufSize != 2*c.rate {
			t.Errorf("%s %dx%d@%d: %+v %v", c.quality, c.w, c.h, c.fps, e, err)
		}
		args := strings.Join(e.Args(c.fps), " ")
		if !strings.Contains(args, "-maxrate ") || !strings.Contains(args, "-bufsize ") {
			t.Errorf("%s: no rate cap in %s", c.quality, args)
		}
	}
	e, _ := EncoderForSize("high", 1920, 1080, 30, true)
	if a := strings.Join(e.Args(30), " "); strings.Contains(a, "maxrate") || !strings.Contains(a, "-qp 0") {
		t.Errorf("lossless: %s", a)
	}
}
