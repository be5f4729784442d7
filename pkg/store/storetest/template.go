package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// initdbArgs are the cluster settings every test server gets (after -D DIR).
var initdbArgs = []string{"-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"}

// InitData makes a fresh, never-started PostgreSQL data directory at data (whose parent
// exists and is writable by the server's user, attr.Credential when set). initdb costs
// about 1.5 CPU seconds and several seconds of wall time on a loaded machine, and a
// `make test` starts dozens of servers, so it runs once per installed PostgreSQL and user:
// its output is kept as a template under the temp directory, and every call copies it
// (`cp -a`, ownership and modes kept). A copy is the same cluster initdb would make: the
// tests still run a real server on data of their own.
func InitData(bin, data string, attr *syscall.SysProcAttr) error {
	tmpl, err := template(bin, attr)
	if err != nil {
		return err
	}
	if out, err := exec.Command("cp", "-a", tmpl, data).CombinedOutput(); err != nil {
		return fmt.Errorf("storetest: copy the initdb template: %v\n%s", err, out)
	}
	return nil
}

// template returns the template data directory for bin's initdb, making it when missing.
// Its name carries the initdb binary (path, size, time) and its arguments, so an upgraded
// PostgreSQL or changed settings make a new one. It is made beside its final place and
// renamed there, so a concurrent package never sees half of one.
func template(bin string, attr *syscall.SysProcAttr) (string, error) {
	initdb := filepath.Join(bin, "initdb")
	st, err := os.Stat(initdb)
	if err != nil {
		return "", fmt.Errorf("storetest: %w", err)
	}
	h := sha256.New()
	fmt.Fprintln(h, initdb, st.Size(), st.ModTime().UnixNano(), initdbArgs)
	uid := os.Geteuid()
	if attr.Credential != nil {
		uid = int(attr.Credential.Uid)
	}
	final := filepath.Join(os.TempDir(), "simvid-pg-template-"+strconv.Itoa(uid)+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(final, "PG_VERSION")); err == nil {
		return final, nil
	}
	dir, err := os.MkdirTemp("", "simvid-pg-initdb-")
	if err != nil {
		return "", fmt.Errorf("storetest: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	if c := attr.Credential; c != nil {
		if err := os.Chown(dir, int(c.Uid), int(c.Gid)); err != nil {
			return "", fmt.Errorf("storetest: chown temp dir: %w", err)
		}
	}
	cmd := exec.Command(initdb, append([]string{"-D", filepath.Join(dir, "data")}, initdbArgs...)...)
	cmd.Dir, cmd.SysProcAttr = dir, attr
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("storetest: initdb: %v\n%s", err, out)
	}
	if err := os.Rename(filepath.Join(dir, "data"), final); err != nil {
		// Another package made it first: use theirs.
		if _, serr := os.Stat(filepath.Join(final, "PG_VERSION")); serr == nil {
			return final, nil
		}
		return "", fmt.Errorf("storetest: keep the initdb template: %w", err)
	}
	return final, nil
}
