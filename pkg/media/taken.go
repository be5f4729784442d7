package media

import (
	"bytes"
	"regexp"
	"strings"
	"time"

	"github.com/rwcarlsen/goexif/exif"
	"github.com/rwcarlsen/goexif/tiff"
)

// The EXIF 2.31 offsets of the dates ("+02:00"). goexif (2019) does not know them by name, so
// takenAt reads them from the Exif sub-IFD itself.
const (
	tagOffsetTime         = 0x9010 // of DateTime (0x0132)
	tagOffsetTimeOriginal = 0x9011 // of DateTimeOriginal (0x9003)
)

var offsetRE = regexp.MustCompile(`^[+-](0\d|1[0-4]):[0-5]\d$`)

// takenAt is when the picture was taken: DateTimeOriginal with OffsetTimeOriginal (else
// OffsetTime), else DateTime with OffsetTime; nil when there is no readable date. A date
// without an offset (most cameras before 2017) is floating local time: it is kept as its
// wall-clock reading in UTC, so "10:00" without an offset sorts as 10:00Z and its calendar
// day is the day the camera showed.
func takenAt(x *exif.Exif) *time.Time {
	offsets := exifOffsets(x)
	off := offsets[tagOffsetTimeOriginal]
	if off == "" {
		off = offsets[tagOffsetTime]
	}
	if t := parseEXIFDate(exifString(x, exif.DateTimeOriginal), off); t != nil {
		return t
	}
	// A missing or unreadable DateTimeOriginal ("    :  :     :  :  " from some cameras).
	return parseEXIFDate(exifString(x, exif.DateTime), offsets[tagOffsetTime])
}

// parseEXIFDate reads "2006:01:02 15:04:05" in the offset "±hh:mm" (UTC when off is not one).
// Dates a camera writes when its clock was never set ("0000:00:00 00:00:00") are no date.
func parseEXIFDate(date, off string) *time.Time {
	if len(date) < 19 {
		return nil
	}
	loc := time.UTC
	if offsetRE.MatchString(off) {
		if o, err := time.Parse("-07:00", off); err == nil {
			_, secs := o.Zone()
			loc = time.FixedZone("", secs)
		}
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", date[:19], loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return nil
	}
	return &t
}

func exifString(x *exif.Exif, name exif.FieldName) string {
	tag, err := x.Get(name)
	if err != nil {
		return ""
	}
	s, _ := tag.StringVal()
	return strings.TrimSpace(strings.TrimRight(s, "\x00"))
}

// exifOffsets returns the offset tags of the Exif sub-IFD by id; none when it cannot be read.
func exifOffsets(x *exif.Exif) map[uint16]string {
	out := map[uint16]string{}
	ptr, err := x.Get(exif.ExifIFDPointer)
	if err != nil || x.Tiff == nil {
		return out
	}
	at, err := ptr.Int64(0)
	if err != nil || at <= 0 || at >= int64(len(x.Raw)) {
		return out
	}
	r := bytes.NewReader(x.Raw)
	if _, err := r.Seek(at, 0); err != nil {
		return out
	}
	dir, _, err := tiff.DecodeDir(r, x.Tiff.Order)
	if err != nil {
		return out
	}
	for _, tag := range dir.Tags {
		if tag.Id == tagOffsetTime || tag.Id == tagOffsetTimeOriginal {
			if s, err := tag.StringVal(); err == nil {
				out[tag.Id] = strings.TrimSpace(strings.TrimRight(s, "\x00"))
			}
		}
	}
	return out
}
