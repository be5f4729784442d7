// Package security attacks the real simvid binary as an outsider would, one probe per known
// attack (ids, traversal, CSRF, XSS, SSRF, filter injection, hostile media, slow clients,
// quotas, ownership), and prints a table of what held; it also holds the upload fuzz target.
package security
