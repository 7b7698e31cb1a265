package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/testbin"
)

// feedSite is an RSS feed of n items and their pages. A slow feed (or slow
// pages) answers only when the client goes away, and says on hung that a
// request is waiting.
type feedSite struct {
	mu        sync.Mutex
	n         int
	slowFeed  bool
	slowPages bool
	pages     int // item pages served
	hung      chan struct{}
	base      time.Time
}

func newFeedSite(t *testing.T, n int) (*feedSite, *httptest.Server) {
	f := &feedSite{n: n, hung: make(chan struct{}, 1), base: time.Now().UTC().Add(-24 * time.Hour)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *feedSite) set(fn func(*feedSite)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *feedSite) served() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pages
}

func (f *feedSite) hang(r *http.Request) {
	select {
	case f.hung <- struct{}{}:
	default:
	}
	<-r.Context().Done()
}

// date is item i's publication time: the higher i, the newer.
func (f *feedSite) date(i int) time.Time { return f.base.Add(time.Duration(i) * time.Second) }

func (f *feedSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n, slowFeed, slowPages := f.n, f.slowFeed, f.slowPages
	if strings.HasPrefix(r.URL.Path, "/item/") {
		f.pages++
	}
	f.mu.Unlock()
	if r.URL.Path == "/feed.xml" {
		if slowFeed {
			f.hang(r)
			return
		}
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>`)
		for i := n - 1; i >= 0; i-- {
			fmt.Fprintf(&b, `<item><title>Flood release number %d of the archive</title><link>http://%s/item/%d</link><guid>item-%d</guid><pubDate>%s</pubDate></item>`,
				i, r.Host, i, i, f.date(i).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(b.Bytes())
		return
	}
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/item/"))
	if err != nil || i >= n {
		http.NotFound(w, r)
		return
	}
	if slowPages {
		f.hang(r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Flood release number %d of the archive</title></head><body><article><h1>Flood release number %d of the archive</h1><time datetime="%s"></time>`,
		i, i, f.date(i).Format(time.RFC3339))
	for _, p := range plainParagraphs {
		fmt.Fprintf(w, "<p>%s</p>", p)
	}
	fmt.Fprint(w, "</article></body></html>")
}

const opsHook = "900000000000000009"

// feedConfig writes a config that reads the feed and tells the fake
// Discord's ops webhook when the source fails.
func feedConfig(t *testing.T, feedURL string, d *fakediscord.Server) string {
	dir := t.TempDir()
	path := filepath.Join(dir, "natowatch.yaml")
	cfg := fmt.Sprintf(`state: %s
discord:
  api: %s
  ops_webhook: %s
http:
  per_host_rate: 1000
  backoff: 1ms
sources:
  - name: slow
    type: rss
    url: %s/feed.xml
    schedule: "@every 1s"
targets:
  - webhook: %s
delivery:
  interval: 100ms
log:
  level: debug
`, filepath.Join(dir, "state.db"), d.API(), d.WebhookURL(opsHook, "ops-secret"), feedURL, d.WebhookURL(hookID, hookToken))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// natowatch runs the binary and returns its exit code and stderr; when
// hung is not nil, it is sent SIGTERM once a request hangs there.
func natowatch(t *testing.T, hung chan struct{}, args ...string) (int, string) {
	t.Helper()
	var errb syncBuffer
	cmd := exec.Command(testbin.Build(t), args...)
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if hung != nil {
		select {
		case <-hung:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("no request reached the slow server:\n%s", errb.String())
		}
		cmd.Process.Signal(syscall.SIGTERM)
	}
	err := cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

// TestStopIsNotAFailure: SIGTERM while a check waits for a slow feed stops
// natowatch without calling the source failing, in the logs or on the ops
// webhook (issue 13, defect 2).
func TestStopIsNotAFailure(t *testing.T) {
	t.Cleanup(testbin.Cleanup)
	feed, srv := newFeedSite(t, 3)
	d := fakediscord.New(t)
	cfg := feedConfig(t, srv.URL, d)
	if code, stderr := natowatch(t, nil, "--config", cfg, "once"); code != 0 {
		t.Fatalf("first once: %d\n%s", code, stderr)
	}
	feed.set(func(f *feedSite) { f.slowFeed = true })
	for _, cmd := range []string{"run", "once"} {
		code, stderr := natowatch(t, feed.hung, "--config", cfg, cmd)
		t.Logf("%s after SIGTERM: exit %d", cmd, code)
		if cmd == "run" && code != 0 {
			t.Errorf("run stopped by SIGTERM exited %d:\n%s", code, stderr)
		}
		for _, bad := range []string{"source is failing", "item failed"} {
			if strings.Contains(stderr, bad) {
				t.Errorf("%s stopped by SIGTERM logged %q:\n%s", cmd, bad, stderr)
			}
		}
		if ops := d.MessagesIn(opsHook); len(ops) != 0 {
			t.Fatalf("%s stopped by SIGTERM told the ops webhook %q", cmd, ops[0].Content)
		}
	}
	// The next real check is healthy: nothing to recover from.
	feed.set(func(f *feedSite) { f.slowFeed = false })
	if code, stderr := natowatch(t, nil, "--config", cfg, "once"); code != 0 || strings.Contains(stderr, "recovered") {
		t.Fatalf("once after the stops: exit %d\n%s", code, stderr)
	}
	if ops := d.MessagesIn(opsHook); len(ops) != 0 {
		t.Fatalf("ops webhook told %q", ops[0].Content)
	}
}
