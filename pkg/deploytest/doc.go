// Package deploytest checks the deployment files in deploy/ (nginx, compose, systemd,
// Dockerfile, Redis) against real tools where this machine has them, and renders
// deploy/nginx.conf for a run on loopback addresses (RenderNginx, WriteNginx), which the
// tests here and the multi-process scale test use.
package deploytest
