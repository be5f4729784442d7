package media

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestImageTakenAt: intake reads when a picture was taken from its EXIF, with the offset of
// EXIF 2.31 when there is one, and keeps that offset (the chapter titles print the photo's own
// calendar day).
func TestImageTakenAt(t *testing.T) {
	f := newFixture(t, testLimits)
	cases := []struct {
		name string
		tags []string // exiftool assignments; none = no date
		want string   // RFC 3339 with the offset kept; "" = nil
	}{
		{"tokyo", []string{"-DateTimeOriginal=2025:06:14 18:00:00", "-OffsetTimeOriginal=+09:00"}, "2025-06-14T18:00:00+09:00"},
		{"paris", []string{"-DateTimeOriginal=2025:06:14 10:00:00", "-OffsetTimeOriginal=+02:00"}, "2025-06-14T10:00:00+02:00"},
		{"new-york", []string{"-DateTimeOriginal=2025:06:13 23:30:00", "-OffsetTimeOriginal=-04:00"}, "2025-06-13T23:30:00-04:00"},
		// OffsetTime (of DateTime) stands in when OffsetTimeOriginal is missing.
		{"offset-time", []string{"-DateTimeOriginal=2025:06:14 10:00:00", "-OffsetTime=+05:30"}, "2025-06-14T10:00:00+05:30"},
		// DateTime when there is no DateTimeOriginal.
		{"datetime", []string{"-ModifyDate=2024:01:02 03:04:05", "-OffsetTime=-03:00"}, "2024-01-02T03:04:05-03:00"},
		// No offset: floating local time, kept as its wall clock in UTC.
		{"floating", []string{"-DateTimeOriginal=2025:06:14 09:30:00"}, "2025-06-14T09:30:00Z"},
		// A camera whose clock was never set: DateTimeOriginal is zeros, DateTime stands in.
		{"unset-clock", []string{"-n", "-DateTimeOriginal=0000:00:00 00:00:00", "-ModifyDate=2024:01:02 03:04:05"}, "2024-01-02T03:04:05Z"},
		{"no-date", nil, ""},
	}
	// One picture, copied; one exiftool run (-execute) tags them all: its start is the slow part.
	base, err := os.ReadFile(f.redBlue(t, "base.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, c := range cases {
		p := filepath.Join(f.dir, c.name+".jpg")
		if err := os.WriteFile(p, base, 0o644); err != nil {
			t.Fatal(err)
		}
		if len(c.tags) > 0 {
			args = append(append(append(args, "-overwrite_original"), c.tags...), p, "-execute")
		}
	}
	exiftool(t, args[:len(args)-1]...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := f.image(t, filepath.Join(f.dir, c.name+".jpg"), c.name+".jpg")
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if a.TakenAt != nil {
				got = a.TakenAt.Format(time.RFC3339)
			}
			if got != c.want {
				t.Fatalf("taken at %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseEXIFDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ date, off, want string }{
		{"2025:06:14 10:00:00", "+02:00", "2025-06-14T10:00:00+02:00"},
		{"2025:06:14 10:00:00\x00", "", "2025-06-14T10:00:00Z"},
		{"2025:06:14 10:00:00", "+2:00", "2025-06-14T10:00:00Z"}, // not an offset: floating
		{"2025:06:14 10:00:00", "+15:00", "2025-06-14T10:00:00Z"},
		{"2025:13:14 10:00:00", "", ""},
		{"    :  :     :  :  ", "", ""},
		{"2025:06:14", "", ""},
	} {
		got := ""
		if tm := parseEXIFDate(c.date, c.off); tm != nil {
			got = tm.Format(time.RFC3339)
		}
		if got != c.want {
			t.Errorf("parseEXIFDate(%q, %q) = %q, want %q", c.date, c.off, got, c.want)
		}
	}
}
