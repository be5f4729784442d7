package ffmpeg

import (
	"os"
	"syscall"
)

// fedPipeSize is the buffer of a pipe that feeds ffmpeg frames: 1 MB, Linux's most for an
// unprivileged process (/proc/sys/fs/pipe-max-size), against its default 64 kB. A 1080p
// frame is 3 MB: through 64 kB each was some 48 writes and reads, each a wake-up of the
// other side. 600 such frames fed to ffmpeg cost 1.2-1.9 s of CPU (both processes) through
// 64 kB, 0.65-0.75 s through 1 MB (load 33; docs/performance.md, Motion).
const fedPipeSize = 1 << 20

// growPipe sets the buffer of the pipe w writes to fedPipeSize, when the system allows it:
// it is only faster, so a refusal leaves the pipe as it is.
func growPipe(w *os.File) {
	const setPipeSize = 1031 // F_SETPIPE_SZ
	if c, err := w.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) { _, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, setPipeSize, fedPipeSize) })
	}
}
