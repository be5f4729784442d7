package proc

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// StatField reads field n (1-based, as proc(5) numbers them; n >= 3) of a stat file,
// /proc/PID/stat or /proc/PID/task/TID/stat. The command name (field 2) is in parentheses and
// may itself hold spaces or parentheses, so fields are counted after the last ')'.
func StatField(path string, n int) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil || n < 3 {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:])) // field 3 (state) on
	if len(f) < n-2 {
		return 0, false
	}
	v, err := strconv.Atoi(f[n-3])
	return v, err == nil
}
