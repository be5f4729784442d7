// Package ffargs builds ffmpeg's arguments and filter strings from values and runs nothing:
// the planner (pkg/render) uses it without reaching a process, and pkg/ffmpeg runs what it
// builds. pkg/deptest keeps it from importing os/exec or the network.
package ffargs
