// Package scaletest runs simvid's scaled topology for real on loopback (redis-server,
// PostgreSQL, nginx with the deployed nginx.conf, 3 `simvid serve` and 4 `simvid work`) under
// many users, and prints what it measured. The test is behind the "scale" build tag:
//
//	make scale-test                          (SIMVID_SCALE_USERS, SIMVID_SCALE_POLLERS size it)
//	go test -tags scale -v -timeout 60m ./pkg/scaletest
package scaletest
