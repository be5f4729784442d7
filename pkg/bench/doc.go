// Package bench measures simvid against the hand-written ffmpeg reference of
// scripts/reference.sh (wall time and peak memory of each process tree); its helpers (free
// port, process-tree RSS sampler, server process, API client) serve the e2e and scale tests.
//
// The benchmark itself is a test behind the "bench" build tag:
//
//	make bench   (or: go test -tags bench -run TestBench -v -timeout 60m ./pkg/bench)
package bench
