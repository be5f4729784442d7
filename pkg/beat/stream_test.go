package beat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"testing/iotest"
)

// clicks is seconds of a 120 BPM click under noise as s16le bytes (Go-made: no ffmpeg).
func clicks(seconds float64) []byte {
	n := int(seconds * Rate)
	b := make([]byte, 2*n)
	seed := uint32(7)
	for i := range n {
		seed = seed*1664525 + 1013904223
		noise := float64(seed>>8)/float64(1<<24) - 0.5
		since := float64(i%(Rate/2)) / Rate
		v := 0.1*noise + 0.8*math.Exp(-200*since)*math.Sin(2*math.Pi*1500*float64(i)/Rate)
		binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(v*32767)))
	}
	return b
}

// TestTrackS16LEIsTrack: the streaming tracker finds exactly what Track finds in the same
// samples read whole, at lengths around a window, a hop and its 64 KiB reads, with a
// trailing odd byte, its length known or not, and the bytes coming a few at a time.
func TestTrackS16LEIsTrack(t *testing.T) {
	long := clicks(20)
	for _, n := range []int{0, 1, 2, 200, 2*fftSize - 2, 2*fftSize + 1, 2*(fftSize+3*hop) + 1, 64 << 10, 64<<10 + 2*hop + 1, 3*64<<10 - 6, len(long), len(long) - 1} {
		b := long[:n]
		want := onsets(FromS16LE(b))
		for name, r := range map[string]func() ([]float64, error){
			"sized":   func() ([]float64, error) { return onsetsS16LE(bytes.NewReader(b), int64(len(b))) },
			"unsized": func() ([]float64, error) { return onsetsS16LE(bytes.NewReader(b), 0) },
			"halves":  func() ([]float64, error) { return onsetsS16LE(iotest.HalfReader(bytes.NewReader(b)), 0) },
		} {
			got, err := r()
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("%d bytes, %s: %d frames (%v), want onsets' %d, the same", n, name, len(got), err, len(want))
			}
		}
	}
	want := Track(FromS16LE(long))
	got, err := TrackS16LE(bytes.NewReader(long), int64(len(long)))
	if err != nil || !reflect.DeepEqual(got, want) || want.Tempo < 119 || want.Tempo > 121 {
		t.Fatalf("TrackS16LE = %+v, %v; want Track's %+v at 120 BPM", got, err, want)
	}
	boom := errors.New("boom")
	if _, err := TrackS16LE(iotest.ErrReader(boom), 0); !errors.Is(err, boom) {
		t.Fatalf("a failing reader: %v, want its error", err)
	}
}
