package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// TestBinary builds the real binary and runs it as a user would: a bad
// config, a first quiet run, a new release delivered once, a failing
// source, and the daemon stopped with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := testbin.Build(t)
	site := fakenato.New(t)
	discord := fakediscord.New(t)
	cfg := filepath.Join(dir, "natowatch.yaml")
	write := func(body string) {
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	natowatch := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, append([]string{"--config", cfg}, args...)...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}

	write("sources:\n  - name: x\n    type: nope\n    url: ftp://x\nbogus: 1\n")
	if code, _, stderr := natowatch("once"); code != 2 || !strings.Contains(stderr, "bogus: unknown key") {
		t.Fatalf("bad config: exit %d\n%s", code, stderr)
	}

	hook := discord.WebhookURL("900000000000000001", "binary-test-token")
	write(fmt.Sprintf(`state: %s
discord:
  api: %s
http:
  backoff: 1ms
sources:
  - name: nato
    type: nato
    url: %s
    schedule: "@every 1s"
targets:
  - webhook: %s
delivery:
  interval: 100ms
`, filepath.Join(dir, "state.db"), discord.API(), site.URL(), hook))
	site.Publish(fakenato.Item{Title: "Older release about NATO's readiness and deterrence", Date: time.Now().Add(-time.Hour),
		Paragraphs: []string{"NATO Allies reviewed the readiness of their forces at a meeting in Brussels on Monday, and agreed to speed up exercises along the eastern flank."}})
	if code, _, stderr := natowatch("once"); code != 0 || len(discord.Messages()) != 0 {
		t.Fatalf("first run: exit %d, %d messages\n%s", code, len(discord.Messages()), stderr)
	}
	site.Publish(fakenato.Item{Slug: "new-one", Title: "NATO Secretary General welcomes new Allied commitments", Date: time.Now(),
		Paragraphs: []string{"NATO Secretary General Mark Rutte welcomed new commitments by Allies to invest in air defence, announced at a meeting in Brussels on Tuesday.",
			"“This is what deterrence looks like in practice,” said NATO Spokesperson Allison Hart."}})
	if code, _, stderr := natowatch("once"); code != 0 || len(discord.Messages()) != 1 {
		t.Fatalf("new release: exit %d, %d messages\n%s", code, len(discord.Messages()), stderr)
	}
	if _, _, stderr := natowatch("once"); strings.Contains(stderr, "binary-test-token") {
		t.Fatal("the webhook token appears in the logs")
	}
	site.Fail("*", 500) // every listing route: JSON, sitemap, hub
	if code, _, stderr := natowatch("once"); code != 1 || !strings.Contains(stderr, "500") {
		t.Fatalf("failing source: exit %d\n%s", code, stderr)
	}
	site.Fail("*", 0)

	// The daemon: a release published while it runs arrives once; SIGTERM
	// stops it cleanly.
	cmd := exec.Command(bin, "--config", cfg, "run")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	site.Publish(fakenato.Item{Slug: "while-running", Title: "NATO Allies agree new plan for the defence of the High North", Date: time.Now(),
		Paragraphs: []string{"NATO Allies agreed on Wednesday a new plan to strengthen the defence of the High North, including more maritime patrol aircraft and exercises."}})
	deadline := time.Now().Add(20 * time.Second)
	for len(discord.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after SIGTERM: %v\n%s", err, errb.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("run did not stop after SIGTERM\n%s", errb.String())
	}
	if n := len(discord.Messages()); n != 2 {
		t.Fatalf("daemon: %d messages, want 2\n%s", n, errb.String())
	}
	if r := discord.Rejections(); len(r) > 0 {
		t.Fatalf("rejected: %+v", r)
	}
}
