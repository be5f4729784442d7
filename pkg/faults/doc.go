// Package faults proves, on real processes on loopback, that a scaled simvid survives the
// faults of its deploy: a killed worker, a restarted Redis or PostgreSQL, a serve instance
// stopped behind nginx, a nearly full disk and a hung ffmpeg. All of it is in its tests.
package faults
