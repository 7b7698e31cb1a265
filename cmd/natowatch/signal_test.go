package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/testbin"
)

// Issue 13, defect 1: preview reads at most http.max_body of a file, so
// /dev/zero ends at once with a size error, even under a 2 GB limit of
// address space (it grew to 24 GB before).
func TestPreviewDevZeroIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testbin.Build(t)
	code, _, stderr := runProgram(t, t.TempDir(), nil, "/bin/sh", "-c", "ulimit -v 2097152 && exec "+bin+" preview /dev/zero")
	if code != 1 || !strings.Contains(stderr, "read /dev/zero: body too large (over 8388608 bytes, http.max_body)") {
		t.Errorf("preview /dev/zero: exit %d\n%s", code, stderr)
	}
}

// Issue 13, defect 1: a preview blocked on a named pipe stops on SIGINT
// and SIGTERM; so does any command whose config is a named pipe.
func TestPipeStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, c := range []struct {
		args func(fifo string) []string
		code int
		msg  string
	}{
		{func(fifo string) []string { return []string{"preview", fifo} }, 130, "natowatch preview: stopped by signal"},
		{func(fifo string) []string { return []string{"once", "--config", fifo} }, 0, "natowatch once: stopped by signal while reading the config"},
	} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			fifo := filepath.Join(t.TempDir(), "pipe")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(testbin.Build(t), c.args(fifo)...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// A writer can open the pipe only once the reader has: then
			// natowatch is blocked in its read.
			var w *os.File
			for deadline := time.Now().Add(time.Minute); w == nil; {
				f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
				if err == nil {
					w = f
				} else if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("%q never opened the pipe: %v", c.args(fifo), err)
				} else {
					time.Sleep(10 * time.Millisecond)
				}
			}
			cmd.Process.Signal(sig)
			code := waitExit(t, cmd, &errb)
			w.Close()
			if code != c.code || !strings.Contains(errb.String(), c.msg) {
				t.Errorf("%q, %v: exit %d\n%s", c.args(fifo), sig, code, errb.String())
			}
		}
	}
}

// Issue 13, defect 2: SIGINT or SIGTERM to once while it reads a slow
// source is a clean stop: exit 0, and no failure reported by the command.
func TestOnceStopsCleanlyOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		asked := make(chan struct{}, 10)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked <- struct{}{}
			<-r.Context().Done()
		}))
		dir := t.TempDir()
		cfg := filepath.Join(dir, "natowatch.yaml")
		writeFile(t, cfg, "sources:\n  - {name: slow, type: rss, url: '"+slow.URL+"/feed'}\n")
		cmd := exec.Command(testbin.Build(t), "--config", cfg, "once")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-asked:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Fatalf("once never asked the source\n%s", errb.String())
		}
		cmd.Process.Signal(sig)
		code := waitExit(t, cmd, &errb)
		slow.Close()
		if code != 0 || strings.Contains(errb.String(), "natowatch once:") || !strings.Contains(errb.String(), "stopped by signal") {
			t.Errorf("%v: exit %d\n%s", sig, code, errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "natowatch.db")); err != nil {
			t.Errorf("the state is not beside the config: %v", err)
		}
	}
}

// waitExit waits for a signalled process, with a generous guard against a
// hang, and returns its exit code (-1 when a signal killed it).
func waitExit(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("no exit within a minute of the signal\n%s", stderr.String())
		return -1
	}
}
