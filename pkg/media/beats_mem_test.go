package media

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/simvid/simvid/pkg/beat"
)

// TestTrackFileMemory: finding the beats of a long track (five minutes of a 120 BPM click as
// beatOutput writes it) allocates less than twice the file (the spectrogram is 1.25 times
// it), where reading it whole and as floats took 4.25 times, and leaves this process no
// larger than before: the 900 s music of the long show (issue 20) took simvid from 46 to
// 151 MB resident while the music's two piece encoders ran, the show's peak.
func TestTrackFileMemory(t *testing.T) {
	const seconds = 300
	n := seconds * beat.Rate
	raw := make([]byte, 2*n)
	for i := range n {
		since := float64(i%(beat.Rate/2)) / beat.Rate
		v := 0.8 * math.Exp(-200*since) * math.Sin(2*math.Pi*1500*float64(i)/beat.Rate)
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(int16(v*32767)))
	}
	path := filepath.Join(t.TempDir(), "beats.pcm")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	size := int64(len(raw))
	raw = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := trackFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if b.Tempo < 119 || b.Tempo > 121 {
		t.Fatalf("tempo %.1f, want 120", b.Tempo)
	}
	alloc := int64(after.TotalAlloc - before.TotalAlloc)
	held := int64(after.HeapSys-after.HeapReleased) - int64(before.HeapSys-before.HeapReleased)
	t.Logf("%d s of samples (%d MB): %.1f MB allocated, the heap's resident pages %+.1f MB after", seconds, size>>20,
		float64(alloc)/(1<<20), float64(held)/(1<<20))
	if alloc > 2*size {
		t.Errorf("trackFile allocated %.1f MB for a %.1f MB file, want under twice the file", float64(alloc)/(1<<20), float64(size)/(1<<20))
	}
	if held > 4<<20 {
		t.Errorf("after trackFile the heap holds %.1f MB more from the system, want what it used given back", float64(held)/(1<<20))
	}
}
