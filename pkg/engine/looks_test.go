package engine

import (
	"context"
	"os/exec"
	"strconv"
	"testing"
)

var (
	red  = [3]int{255, 0, 0}
	blue = [3]int{0, 0, 255}
)

// TestRunOrientationAndBlur: pictures stored turned with an EXIF orientation come out upright
// (left half red, right half blue), and the blur fit fills the bars with the picture.
func TestRunOrientationAndBlur(t *testing.T) {
	k := newKit(t)
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Skip("SKIPPING: exiftool is not installed; it writes the EXIF orientation of the test pictures")
	}
	// What the camera stored for an upright red|blue picture of 160x120, by orientation.
	stored := map[int]string{
		1: "color=c=red:s=80x120[a];color=c=blue:s=80x120[b];[a][b]hstack",
		3: "color=c=blue:s=80x120[a];color=c=red:s=80x120[b];[a][b]hstack", // turned 180
		6: "color=c=blue:s=120x80[a];color=c=red:s=120x80[b];[a][b]vstack", // shown turned clockwise
		8: "color=c=red:s=120x80[a];color=c=blue:s=120x80[b];[a][b]vstack", // shown turned counter-clockwise
	}
	s := k.show("640x480", "draft")
	for _, o := range []int{1, 3, 6, 8} {
		p := k.picture("o"+strconv.Itoa(o)+".jpg", stored[o])
		if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-Orientation="+strconv.Itoa(o), "-n", p).CombinedOutput(); err != nil {
			t.Fatalf("exiftool: %v %s", err, out)
		}
		s.slide(p, 1, "contain", o)
	}
	tall := k.picture("tall.png", "color=c=red:s=100x300[a];color=c=blue:s=100x300[b];[a][b]hstack")
	s.slide(tall, 1, "blur", 1)
	s.slide(tall, 1, "contain", 1)
	s.in.Spec.Transition.Name = "none"
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	// 160x120 contained in 640x480 fills it: the left quarter is red, the right quarter blue.
	for i, o := range []int{1, 3, 6, 8} {
		n := plan.Slides[i].Start + plan.Slides[i].Frames/2
		l, r := k.rgb(s.job.Output, n, 160, 240), k.rgb(s.job.Output, n, 480, 240)
		if !near(l, red, 40) || !near(r, blue, 40) {
			t.Errorf("orientation %d: left %v right %v, want red and blue", o, l, r)
		}
	}
	// 200x300 contained is 320x480 at x 160..480: the bars of the blur fit hold a blurred red
	// and blue, those of contain the black background.
	for i, want := range []bool{true, false} {
		n := plan.Slides[4+i].Start + plan.Slides[4+i].Frames/2
		l, r := k.rgb(s.job.Output, n, 40, 240), k.rgb(s.job.Output, n, 600, 240)
		if got := l[0] > 80 && r[2] > 80; got != want {
			t.Errorf("slide %d (%s): bars %v %v", 5+i, s.in.Spec.Slides[4+i].Fit, l, r)
		}
		if c := k.rgb(s.job.Output, n, 200, 240); !near(c, red, 40) {
			t.Errorf("slide %d: picture %v, want red", 5+i, c)
		}
	}
}
