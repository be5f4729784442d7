package bench

import (
	"sync"
	"time"
)

// RSS returns the resident memory, in bytes, of process pid alone (not its children); 0
// once it has exited.
func RSS(pid int) int64 { return processRSS(pid) }

// SelfPeak samples RSS(pid) every interval until Stop and keeps the largest value: the
// process's own memory, where PeakSampler sums its whole tree.
type SelfPeak struct {
	mu   sync.Mutex
	peak int64
	at   time.Time // when the peak was sampled
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewSelfPeak starts sampling pid every interval (100 ms when 0).
func NewSelfPeak(pid int, interval time.Duration) *SelfPeak {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	s := &SelfPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			v := RSS(pid)
			s.mu.Lock()
			if v > s.peak {
				s.peak, s.at = v, time.Now()
			}
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns the peak. It is safe to call more than once.
func (s *SelfPeak) Stop() int64 {
	s.once.Do(func() { close(s.stop); <-s.done })
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// At returns when the peak was sampled (zero before any sample).
func (s *SelfPeak) At() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at
}
