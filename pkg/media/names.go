package media

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes caps a display name; longer names keep their start and extension.
const maxNameBytes = 120

// DisplayName cleans a user's file name for display and messages: path parts (/ and \, as
// old browsers send C:\fakepath\x.jpg) stripped, control and bidi-override characters
// removed, invalid UTF-8 replaced, length capped. It never becomes a path.
func DisplayName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200C' && r != '\u200D' {
			return -1 // controls; format characters such as U+202E that reorder text
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > maxNameBytes {
		ext := path.Ext(name)
		if len(ext) > 12 {
			ext = ""
		}
		keep := maxNameBytes - len(ext) - len("…")
		for keep > 0 && !utf8.RuneStart(name[keep]) {
			keep--
		}
		name = strings.TrimSpace(name[:keep]) + "…" + ext
	}
	if name == "" || name == "." || name == ".." {
		return "upload"
	}
	return name
}

// humanBytes spells a limit: "25 MiB", "1.5 GiB", "900 KiB", "100 bytes".
func humanBytes(n int64) string {
	units := []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if n >= u.size {
			return strconv.FormatFloat(math.Round(float64(n)/float64(u.size)*10)/10, 'f', -1, 64) + " " + u.name
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// megapixels spells a pixel count in millions, with a decimal only when it matters.
func megapixels(px int64) string {
	mp := float64(px) / 1e6
	if mp >= 10 {
		return strconv.FormatFloat(math.Round(mp), 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(mp*10)/10, 'f', -1, 64)
}

// clock spells seconds as m:ss or h:mm:ss.
func clock(sec float64) string {
	s := int64(sec)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
