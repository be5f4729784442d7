// Package scaletest runs simvid's scaled topology for real on loopback (redis-server,
// PostgreSQL, nginx with the deployed nginx.conf, 3 `simvid serve` and 4 `simvid work`) under
// many users, and prints what it measured. SIMVID_SCALE_SHAPE=cluster runs the deploy with
// no shared disk instead: 2 serve and 3 work, each with its own data directory, files in a
// versitygw bucket, Redis as master, replica and three sentinels. The test is behind the
// "scale" build tag:
//
//	make scale-test                          (SIMVID_SCALE_USERS, SIMVID_SCALE_POLLERS size it)
//	make scale-test-cluster                  (the cluster shape: SIMVID_SCALE_SHAPE=cluster)
//	go test -tags scale -v -timeout 60m ./pkg/scaletest
package scaletest
