package bench

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Machine is what a measurement was taken on: a speed ratio holds on one machine class only.
type Machine struct {
	CPU      string   // model name
	Flags    []string // those of flagsThatMatter the CPU has
	Cores    int      // logical processors
	MemBytes int64
	Load     string // /proc/loadavg's 1, 5 and 15 minute averages when read
}

// flagsThatMatter are the CPU features x264 and ffmpeg's scalers choose their code by.
var flagsThatMatter = []string{"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"}

// ReadMachine reads /proc/cpuinfo, /proc/meminfo and /proc/loadavg (no lscpu needed).
func ReadMachine() Machine {
	var m Machine
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch k {
			case "processor":
				m.Cores++
			case "model name":
				m.CPU = v
			case "flags":
				if m.Flags == nil {
					have := strings.Fields(v)
					m.Flags = []string{}
					for _, fl := range flagsThatMatter {
						if slices.Contains(have, fl) {
							m.Flags = append(m.Flags, fl)
						}
					}
				}
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				m.MemBytes = kb << 10
			}
		}
	}
	m.Load = LoadAverage()
	return m
}

// LoadAverage returns /proc/loadavg's three averages, "1m 5m 15m", or "?".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

func (m Machine) String() string {
	return fmt.Sprintf("%s, %d cores, flags %s, %.1f GB memory, load average %s (1/5/15 min)",
		m.CPU, m.Cores, strings.Join(m.Flags, " "), float64(m.MemBytes)/(1<<30), m.Load)
}
