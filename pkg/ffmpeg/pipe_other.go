//go:build !linux

package ffmpeg

import "os"

// growPipe leaves the pipe as it is: only Linux sets a pipe's buffer (pipe_linux.go).
func growPipe(*os.File) {}
