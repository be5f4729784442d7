package faults

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// procLog keeps a process's output in memory so a test can wait for a line and show the
// end of it when something went wrong.
type procLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *procLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *procLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Has reports whether the output holds s.
func (l *procLog) Has(s string) bool { return strings.Contains(l.String(), s) }

// Wait waits up to d for the output to hold s.
func (l *procLog) Wait(s string, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if l.Has(s) {
			return true
		}
	}
	return l.Has(s)
}

// Tail is the last n bytes of the output.
func (l *procLog) Tail(n int) string {
	s := l.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
