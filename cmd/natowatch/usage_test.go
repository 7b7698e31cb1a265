package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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

// Issue 13, friction: the command line a new user tries.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "x.yaml")
	writeFile(t, cfg, "state: missing/state.db\nsources:\n  - {name: a, type: rss, url: 'https://example.org/feed'}\n")
	// help, -h and --help on every command: usage on stdout, exit 0.
	for _, args := range [][]string{
		{"help"}, {"-h"}, {"--help"}, {"help", "run"}, {"help", "once"}, {"help", "preview"}, {"help", "migrate"}, {"help", "help"}, {"help", "-h"},
		{"run", "-h"}, {"once", "--help"}, {"preview", "-h"}, {"migrate", "--help"}, {"version", "-h"},
	} {
		code, out, stderr := natowatch(t, dir, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage:") || stderr != "" {
			t.Errorf("%q: exit %d\nstdout: %s\nstderr: %s", args, code, out, stderr)
		}
	}
	if _, out, _ := natowatch(t, dir, nil, "once", "-h"); !strings.Contains(out, "-config") || !strings.Contains(out, "-dry-run") {
		t.Errorf("once -h does not list its flags:\n%s", out)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		if code, out, _ := natowatch(t, dir, nil, args...); code != 0 || !strings.HasPrefix(out, "natowatch ") {
			t.Errorf("%q: exit %d %q", args, code, out)
		}
	}
	// Exit 2 for every usage, config or state-path problem; the message
	// names the path; --config before or after the command.
	for _, args := range [][]string{
		{}, {"help", "nope"}, {"nope"}, {"once", "--bogus"}, {"run", "extra"}, {"version", "extra"}, {"preview"},
		{"--config", filepath.Join(dir, "none.yaml"), "once"},
		{"--config", cfg, "once"}, {"once", "--config", cfg}, {"run", "--config=" + cfg},
		{"preview", "ftp://example.org/x"}, {"preview", "data:text/html,hi"},
		{"migrate", "--from", cfg, "--to", filepath.Join(dir, "missing", "copy.db")},
	} {
		code, _, stderr := natowatch(t, dir, nil, args...)
		if code != 2 || stderr == "" {
			t.Errorf("%q: exit %d, want 2\n%s", args, code, stderr)
		}
	}
	_, _, stderr := natowatch(t, dir, nil, "once", "--config", cfg)
	if want := "state " + filepath.Join(dir, "missing", "state.db") + ": the folder " + filepath.Join(dir, "missing") + " does not exist"; !strings.Contains(stderr, want) {
		t.Errorf("missing state folder: want %q in\n%s", want, stderr)
	}
	// A folder that cannot be written: /sys refuses even root.
	writeFile(t, cfg, "state: /sys/natowatch.db\nsources:\n  - {name: a, type: rss, url: 'https://example.org/feed'}\n")
	if code, _, stderr := natowatch(t, dir, nil, "once", "--config", cfg); code != 2 || !strings.Contains(stderr, "the folder /sys is not writable") {
		t.Errorf("read-only state folder: exit %d\n%s", code, stderr)
	}
	// A file that is not natowatch's is the wrong path in the config.
	writeFile(t, filepath.Join(dir, "notes.txt"), "not a database\n")
	writeFile(t, cfg, "state: notes.txt\nsources:\n  - {name: a, type: rss, url: 'https://example.org/feed'}\n")
	if code, _, stderr := natowatch(t, dir, nil, "once", "--config", cfg); code != 2 || !strings.Contains(stderr, filepath.Join(dir, "notes.txt")) {
		t.Errorf("a state that is not natowatch's: exit %d\n%s", code, stderr)
	}
	// preview: clear errors, no doubled prefixes, schemes told apart.
	_, _, stderr = natowatch(t, dir, nil, "preview", "file:///nonexistent/page.html")
	if !strings.Contains(stderr, "natowatch preview: open /nonexistent/page.html: no such file") || strings.Contains(stderr, "preview: preview") {
		t.Errorf("file:// URL: %s", stderr)
	}
	if _, _, stderr := natowatch(t, dir, nil, "preview", "ftp://example.org/x"); !strings.Contains(stderr, `unsupported scheme "ftp"`) {
		t.Errorf("ftp:// URL: %s", stderr)
	}
	page, err := os.ReadFile(filepath.Join("..", "..", "scraper", "testdata", "publicnow", "view.html"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	code, out, stderr := natowatch(t, dir, nil, "preview", "HTTP://"+strings.TrimPrefix(srv.URL, "http://")+"/view")
	if code != 0 || !strings.Contains(out, "Stoltenberg") {
		t.Errorf("HTTP:// URL: exit %d\n%s\n%s", code, out, stderr)
	}
}
