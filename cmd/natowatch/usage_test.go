package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/testbin"
)

// natowatch runs the binary in dir with env added to a minimal
// environment, and a generous guard against a hang.
func natowatch(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	return runProgram(t, dir, env, testbin.Build(t), args...)
}

// runProgram runs a program as natowatch runs the binary.
func runProgram(t *testing.T, dir string, env []string, name string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("natowatch %q hung\n%s", args, errb.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Issue 13: a variable set to the empty string is reported as empty, and
// a config error exits 2 with its key path.
func TestConfigErrorsThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "natowatch.yaml")
	writeFile(t, cfg, "sources:\n  - name: [a]\n    type: rss\n    url: https://example.org/feed\ntargets:\n  - channel: ${CHAN}\n")
	code, _, stderr := natowatch(t, dir, []string{"CHAN="}, "--config", cfg, "once")
	if code != 2 || !strings.Contains(stderr, "targets[0].channel: environment variable CHAN is empty") ||
		!strings.Contains(stderr, "sources[0].name: must be a single value, not a list (line 2)") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	for _, followOn := range []string{"is required", "set webhook or channel", "cannot unmarshal"} {
		if strings.Contains(stderr, followOn) {
			t.Errorf("follow-on error %q:\n%s", followOn, stderr)
		}
	}
	code, _, stderr = natowatch(t, dir, nil, "--config", cfg, "once")
	if code != 2 || !strings.Contains(stderr, "environment variable CHAN is not set") {
		t.Errorf("unset: exit %d:\n%s", code, stderr)
	}
}
