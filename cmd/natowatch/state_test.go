package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// stateWorld is a config on a fake site and a fake Discord webhook, for
// the state's tests through the binary.
type stateWorld struct {
	bin, dir, cfg, db string
	site              *fakenato.Site
	discord           *fakediscord.Server
}

func newStateWorld(t *testing.T, listen string) *stateWorld {
	t.Helper()
	w := &stateWorld{bin: testbin.Build(t), dir: t.TempDir(), site: fakenato.New(t), discord: fakediscord.New(t)}
	w.cfg = filepath.Join(w.dir, "natowatch.yaml")
	w.db = filepath.Join(w.dir, "natowatch.db")
	err := os.WriteFile(w.cfg, []byte(fmt.Sprintf(`state: %s
discord:
  api: %s
http:
  listen: "%s"
  backoff: 10ms
  per_host_rate: 1000
sources:
  - name: nato
    type: nato
    url: %s
    schedule: "@every 1s"
targets:
  - webhook: %s
delivery:
  interval: 100ms
`, w.db, w.discord.API(), listen, w.site.URL(), w.discord.WebhookURL("900000000000000001", "tok"))), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	w.site.Publish(fakenato.Item{Slug: "older", Title: "Older release about NATO's readiness and deterrence", Date: time.Now().Add(-time.Hour),
		Paragraphs: []string{"NATO Allies reviewed the readiness of their forces at a meeting in Brussels on Monday, and agreed to speed up exercises along the eastern flank."}})
	return w
}

func (w *stateWorld) command(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(w.bin, append([]string{"--config", w.cfg}, args...)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	return cmd, &errb
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// Two `once` on one state at the same time: the second waits its turn
// (it used to find the first's claims and exit 1 with alerts pending, or
// fail on a release the first had just saved); both succeed, nothing is
// marked failing, each release goes out once.
func TestConcurrentOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	w := newStateWorld(t, "")
	cmd, errb := w.command("once")
	if code := exitCode(t, cmd.Run()); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, errb)
	}
	for i := range 3 {
		w.site.Publish(fakenato.Item{Slug: fmt.Sprintf("new-%d", i), Title: fmt.Sprintf("NATO Allies agree on new measure number %d", i), Date: time.Now(),
			Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence.", i)}})
	}
	w.discord.SetLatency(time.Second) // the first is still delivering when the second starts
	var wg sync.WaitGroup
	codes, logs := make([]int, 2), make([]*bytes.Buffer, 2)
	for i := range 2 {
		if i == 1 {
			waitUntil(t, 20*time.Second, func() bool { return len(w.discord.Messages()) > 0 })
		}
		cmd, errb := w.command("once")
		logs[i] = errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = exitCode(t, cmd.Wait())
		}()
	}
	wg.Wait()
	for i := range 2 {
		if codes[i] != 0 || strings.Contains(logs[i].String(), "failing") {
			t.Errorf("once %d: exit %d\n%s", i, codes[i], tail(logs[i].String(), 10))
		}
	}
	if n := len(w.discord.Messages()); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}

// The state file deleted under `run`: /healthz fails, and the daemon
// stops with a clear error and exit 1.
func TestStateFileDeletedUnderRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	w := newStateWorld(t, addr)
	cmd, errb := w.command("run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { done <- exitCode(t, cmd.Wait()) }()
	defer cmd.Process.Kill()
	healthz := func() (int, string) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitUntil(t, 20*time.Second, func() bool { code, _ := healthz(); return code == 200 })

	if err := os.Remove(w.db); err != nil {
		t.Fatal(err)
	}
	if code, body := healthz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "deleted or replaced") {
		t.Errorf("/healthz after the state was deleted: %d %s", code, body)
	}
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errb.String(), w.db+": deleted or replaced while in use") {
			t.Fatalf("run: exit %d\n%s", code, errb)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("run did not stop after its state was deleted\n%s", tail(errb.String(), 20))
	}
}

// A foreign SQLite file named as the state is refused untouched; a
// corrupt state is refused at start with its path, as a state error, not
// as a failing source.
func TestForeignAndCorruptStateRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	w := newStateWorld(t, "")
	run := func() (int, string) {
		cmd, errb := w.command("once")
		return exitCode(t, cmd.Run()), errb.String()
	}
	// Another program's SQLite file, in rollback-journal mode: any SQLite
	// file will do, so natowatch's own, marked as another's.
	if code, logs := run(); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, logs)
	}
	foreign, err := os.ReadFile(w.db)
	if err != nil || len(foreign) < 100 {
		t.Fatalf("state: %d bytes, %v", len(foreign), err)
	}
	foreign[18], foreign[19] = 1, 1           // not WAL
	copy(foreign[68:72], []byte{0, 0, 0, 42}) // application_id 42
	os.WriteFile(w.db, foreign, 0o644)
	code, logs := run()
	if code == 0 || code > 2 || !strings.Contains(logs, "not a natowatch state") {
		t.Fatalf("foreign file: exit %d\n%s", code, logs)
	}
	if after, _ := os.ReadFile(w.db); !bytes.Equal(after, foreign) {
		t.Fatal("the foreign file was changed")
	}

	// A corrupt state: pages scribbled over in its middle.
	os.Remove(w.db)
	for i := range 100 {
		w.site.Publish(fakenato.Item{Slug: fmt.Sprintf("r-%d", i), Title: fmt.Sprintf("NATO Allies agree on measure number %d", i), Date: time.Now().Add(-2 * time.Hour),
			Paragraphs: []string{strings.Repeat(fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels. ", i), 30)}})
	}
	if code, logs := run(); code != 0 {
		t.Fatalf("a new state: exit %d\n%s", code, logs)
	}
	b, _ := os.ReadFile(w.db)
	if len(b) < 30*4096 {
		t.Fatalf("state of %d bytes", len(b))
	}
	copy(b[len(b)/2:], bytes.Repeat([]byte{0xA5}, 4*4096))
	os.WriteFile(w.db, b, 0o644)
	code, logs = run()
	if code == 0 || code > 2 || !strings.Contains(logs, w.db+": corrupt database") || strings.Contains(logs, "source") {
		t.Fatalf("corrupt state: exit %d\n%s", code, logs)
	}
	if after, _ := os.ReadFile(w.db); !bytes.Equal(after, b) {
		t.Fatal("the corrupt state was written to")
	}
}

// A dry run beside a running daemon reads a copy of the state at once: it
// takes no lock, so it neither waits for `run` nor is refused as busy.
func TestDryRunBesideRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	w := newStateWorld(t, "")
	run, _ := w.command("run")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { run.Process.Kill(); run.Wait() }()
	waitUntil(t, 20*time.Second, func() bool { _, err := os.Stat(w.db + ".lock"); return err == nil }) // run holds it
	dry, errb := w.command("once", "--dry-run")
	var out bytes.Buffer
	dry.Stdout = &out
	done := make(chan int, 1)
	go func() { done <- exitCode(t, dry.Run()) }()
	select {
	case code := <-done:
		if code != 0 || strings.Contains(errb.String(), "busy") {
			t.Fatalf("dry run beside run: exit %d\n%s", code, tail(errb.String(), 10))
		}
	case <-time.After(25 * time.Second): // the lock's wait is 30 s
		dry.Process.Kill()
		<-done
		t.Fatalf("the dry run waited for run's lock\n%s", tail(errb.String(), 10))
	}
}

// run stops with an error, exit 1, when it cannot serve http.listen (the
// port is taken): no /healthz, feeds or status page is not a way to run.
func TestRunStopsWhenItCannotListen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // the port stays taken
	w := newStateWorld(t, ln.Addr().String())
	cmd, errb := w.command("run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { done <- exitCode(t, cmd.Wait()) }()
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errb.String(), "http.listen: cannot serve on "+ln.Addr().String()) {
			t.Fatalf("run with its port taken: exit %d\n%s", code, tail(errb.String(), 10))
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("run went on without its HTTP listener")
	}
}
