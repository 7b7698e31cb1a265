// Package testbin builds the natowatch binary once per test process, for
// tests that run it as a user would.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once sync.Once
	path string
	err  error
	out  []byte
)

// Build returns the path of a natowatch binary built from this checkout.
func Build(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		var dir string
		dir, err = os.MkdirTemp("", "natowatch-bin-")
		if err != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		path = filepath.Join(dir, "natowatch")
		cmd := exec.Command("go", "build", "-o", path, "./cmd/natowatch")
		cmd.Dir = root
		out, err = cmd.CombinedOutput()
	})
	if err != nil {
		t.Fatalf("building natowatch: %v\n%s", err, out)
	}
	return path
}

// Cleanup removes the built binary; call it from TestMain after m.Run.
func Cleanup() {
	if path != "" {
		os.RemoveAll(filepath.Dir(path))
	}
}
