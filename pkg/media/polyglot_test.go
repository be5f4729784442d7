package media

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// id3Tag is an empty ID3v2.4 tag: what a polyglot "MP3" starts with.
func id3Tag(padding int) []byte {
	n := padding
	return append([]byte{'I', 'D', '3', 4, 0, 0, byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)},
		make([]byte, padding)...)
}

// playlist is an HLS playlist whose one segment is the local file at path.
func playlist(path string) []byte {
	return []byte("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:" + path + "\n#EXT-X-ENDLIST\n")
}

// watchFIFO makes a named pipe and reports, once stop is called, whether any process opened
// it for reading meanwhile: a writer's non-blocking open succeeds only while a reader has it
// open (or waits in open for a writer), and ffmpeg reading a playlist entry does.
func watchFIFO(t *testing.T, path string) (stop func() bool) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var opened atomic.Bool
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			default:
			}
			fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				opened.Store(true)
				_ = syscall.Close(fd) // the reader sees the end of the file at once
			} else if !errors.Is(err, syscall.ENXIO) {
				t.Errorf("watching the fifo: %v", err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() bool {
		close(done)
		<-finished
		return opened.Load()
	}
}

// TestPolyglotsOpenNothing: an "MP3" that is an ID3 tag followed by an HLS playlist was read by
// ffprobe as HLS, which opened the playlist's file: entries, and the answer (415 or 422)
// told whether a local file exists. Now every upload is read with the demuxer of its sniffed
// format only, and what follows an ID3 tag must be sound: the answer is the same whatever
// the playlist names, and nothing it names is opened. A picture that hides a playlist gets
// one answer too.
func TestPolyglotsOpenNothing(t *testing.T) {
	f := newFixture(t, testLimits)
	existing := f.song(t, "real.mp3")
	missing := filepath.Join(f.dir, "nothing-here.mp3")
	fifo := filepath.Join(f.dir, "fifo.mp3")
	stop := watchFIFO(t, fifo)

	jpegHead := []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\n")
	kinds := []struct {
		name  string
		head  []byte
		take  func(name string, r *bytes.Reader) error
		code  string
		start string
	}{
		{"song.mp3", id3Tag(0), func(name string, r *bytes.Reader) error {
			_, err := f.in.Audio(context.Background(), f.pid, name, r)
			return err
		}, simvid.EUnsupported, "song.mp3 is not a sound file this server accepts"},
		{"photo.jpg", jpegHead, func(name string, r *bytes.Reader) error {
			_, err := f.in.Image(context.Background(), f.pid, name, r)
			return err
		}, simvid.EUnprocessable, "photo.jpg is damaged"},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			var first string
			for _, target := range []string{fifo, existing, missing} {
				body := append(append([]byte{}, k.head...), playlist(target)...)
				err := k.take(k.name, bytes.NewReader(body))
				msg := simvid.ErrorMessage(err)
				if !simvid.IsCode(err, k.code) || !strings.HasPrefix(msg, k.start) {
					t.Errorf("playlist of %s: %v; want %s %q", filepath.Base(target), err, k.code, k.start)
				}
				if first == "" {
					first = msg
				} else if msg != first {
					t.Errorf("answers differ with the playlist's target: %q, then %q", first, msg)
				}
			}
		})
	}
	if stop() {
		t.Error("a playlist entry was opened")
	}
	dirEmpty(t, f.st.TmpDir())
}

// TestAudioAfterID3: music whose ID3 tag (padded or not) is followed by MPEG audio, ADTS
// or FLAC is still taken, read by that format's own demuxer.
func TestAudioAfterID3(t *testing.T) {
	f := newFixture(t, testLimits)
	for _, c := range []struct{ file, format, codec string }{
		{"a.aac", "aac", "aac"}, {"a.flac", "flac", "flac"}, {"b.mp3", "mp3", "mp3"},
	} {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(f.song(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			// A padded tag, then a second one: both happen in the wild.
			body := append(append(id3Tag(700), id3Tag(0)...), raw...)
			a, err := f.in.Audio(context.Background(), f.pid, "tagged-"+c.file, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if a.Format != c.format || a.Codec != c.codec || a.Duration < 1.9 {
				t.Fatalf("asset = %+v", a)
			}
		})
	}
}
