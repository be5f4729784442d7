// Package deptest holds the test that keeps the layers' doors shut (issue 18): which simvid
// packages may import, or reach through others, which packages. It has no code of its own.
package deptest
