package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
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
)

// feedSite is an RSS feed of n items and their pages. A slow feed (or slow
// pages) answers only when the client goes away, and says on hung that a
// request is waiting.
type feedSite struct {
	mu        sync.Mutex
	n         int
	slowFeed  bool
	slowPages bool
	noText    bool // item pages lost their text (a new layout)
	pages     int  // item pages served
	old       int  // … of items below newest
	newest    int  // items from this one on are the newest
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

// oldServed is how many pages of items below newest were served.
func (f *feedSite) oldServed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.old
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
	n, slowFeed, slowPages, noText := f.n, f.slowFeed, f.slowPages, f.noText
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/item/"))
	if err == nil {
		f.pages++
		if i < f.newest {
			f.old++
		}
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
	if err != nil || i >= n {
		http.NotFound(w, r)
		return
	}
	if slowPages {
		f.hang(r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if noText {
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>NATO</title></head><body><div id="app"></div><script src="/app.js"></script></body></html>`)
		return
	}
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

// proc is the natowatch binary running.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	errb *syncBuffer
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, errb: &syncBuffer{}}
	p.cmd = exec.Command(os.Getenv("NATOWATCH_TEST_BIN"), args...)
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.errb
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wait waits for the process to end, and returns its exit code and stderr.
func (p *proc) wait() (int, string) {
	p.t.Helper()
	err := p.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		p.t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode(), p.errb.String()
}

// stopWhen sends SIGTERM once cond holds, then waits.
func (p *proc) stopWhen(cond func() bool) (int, string) {
	p.t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // a safety net, not an assertion on speed
	for !cond() {
		if time.Now().After(deadline) {
			p.cmd.Process.Kill()
			p.wait()
			p.t.Fatalf("the awaited moment never came:\n%s", p.errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait()
}

// natowatch runs the binary to its end; with hung, it is sent SIGTERM
// once a request hangs there.
func natowatch(t *testing.T, hung chan struct{}, args ...string) (int, string) {
	t.Helper()
	p := start(t, args...)
	if hung == nil {
		return p.wait()
	}
	return p.stopWhen(func() bool {
		select {
		case <-hung:
			return true
		default:
			return false
		}
	})
}

// TestStopIsNotAFailure: SIGTERM while a check waits for a slow feed stops
// natowatch without calling the source failing, in the logs or on the ops
// webhook (issue 13, defect 2).
func TestStopIsNotAFailure(t *testing.T) {
	t.Setenv("NATOWATCH_TEST_BIN", buildBin(t))
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

// TestFloodOfNewItems: a feed that suddenly lists 10,000 new items posts
// the newest within the cap, records the rest without fetching them, says
// so in one line; a stop in the middle is quiet (issue 13, defect 8).
func TestFloodOfNewItems(t *testing.T) {
	t.Setenv("NATOWATCH_TEST_BIN", buildBin(t))
	const flood = 10000
	const capNew = 100 // app's maxNew
	feed, srv := newFeedSite(t, 5)
	d := fakediscord.New(t)
	cfg := feedConfig(t, srv.URL, d)
	posted := func() int { return len(d.MessagesIn("webhook:" + hookID)) }
	if code, stderr := natowatch(t, nil, "--config", cfg, "once"); code != 0 {
		t.Fatalf("first once: %d\n%s", code, stderr)
	}

	// once: posts the newest within the cap, and soon.
	feed.set(func(f *feedSite) { f.n, f.newest = flood, flood-capNew })
	began := time.Now()
	code, stderr := natowatch(t, nil, "--config", cfg, "once")
	t.Logf("once with %d new items: exit %d in %s, %d pages fetched, %d posted", flood-5, code, time.Since(began).Round(time.Millisecond), feed.served(), posted())
	if code != 0 {
		t.Fatalf("once with a flood: exit %d\n%s", code, lastLines(stderr))
	}
	if feed.served() != capNew || feed.oldServed() != 0 || posted() != capNew {
		t.Fatalf("once with a flood fetched %d pages and posted %d, want %d and %d", feed.served(), posted(), capNew, capNew)
	}
	if n := strings.Count(stderr, "more new items than one check posts"); n != 1 {
		t.Errorf("%d flood lines, want 1", n)
	}
	msgs := d.MessagesIn("webhook:" + hookID)
	if last := msgs[len(msgs)-1]; !strings.Contains(last.Embeds[0].Title, fmt.Sprint(flood-1)) {
		t.Errorf("the last alert is %q, want the newest item", last.Embeds[0].Title)
	}
	// The next once posts nothing, and fetches no page of the rest (those
	// posted are re-read: they are minutes old).
	if code, stderr := natowatch(t, nil, "--config", cfg, "once"); code != 0 || posted() != capNew || feed.oldServed() != 0 {
		t.Fatalf("the once after: exit %d, %d posted, %d old pages fetched\n%s", code, posted(), feed.oldServed(), lastLines(stderr))
	}

	// run: stopped while it fetches the flood's newest, it says nothing
	// of failed items; started again, it posts those, and no more.
	feed2, srv2 := newFeedSite(t, 5)
	d2 := fakediscord.New(t)
	cfg2 := feedConfig(t, srv2.URL, d2)
	posted2 := func() int { return len(d2.MessagesIn("webhook:" + hookID)) }
	if code, stderr := natowatch(t, nil, "--config", cfg2, "once"); code != 0 {
		t.Fatalf("first once: %d\n%s", code, stderr)
	}
	feed2.set(func(f *feedSite) { f.n, f.newest, f.slowPages = flood, flood-capNew, true })
	code, stderr = natowatch(t, feed2.hung, "--config", cfg2, "run")
	if code != 0 {
		t.Errorf("run stopped mid-check: exit %d", code)
	}
	for _, bad := range []string{"item failed", "context canceled", "source is failing"} {
		if n := strings.Count(stderr, bad); n > 0 {
			t.Errorf("run stopped mid-check logged %q %d times:\n%s", bad, n, lastLines(stderr))
		}
	}
	feed2.set(func(f *feedSite) { f.slowPages = false })
	p := start(t, "--config", cfg2, "run")
	code, stderr = p.stopWhen(func() bool {
		// Everything posted, and a later check found nothing new.
		out := p.errb.String()
		return posted2() >= capNew && strings.Count(out, "msg=checked") >= 2 && strings.Contains(out[strings.LastIndex(out, "msg=checked"):], " new=0 ")
	})
	if code != 0 || posted2() != capNew || feed2.oldServed() != 0 {
		t.Fatalf("run after the flood: exit %d, %d posted (want %d), %d old pages fetched\n%s", code, posted2(), capNew, feed2.oldServed(), lastLines(stderr))
	}
}

// lastLines is the end of a long log.
func lastLines(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// buildBin builds the binary into the test's folder (testbin's copy is
// removed only by a TestMain, which this package's is not).
func buildBin(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "natowatch")
	out, err := exec.Command("go", "build", "-o", path, "github.com/natowatch/natowatch/cmd/natowatch").CombinedOutput()
	if err != nil {
		t.Fatalf("building natowatch: %v\n%s", err, out)
	}
	return path
}

// TestLogsTellTheTruth: a webhook whose connection is refused is logged
// as not sent, not as a possible duplicate; a dry run logs no latency of
// weeks for releases that were old when found (issue 13).
func TestLogsTellTheTruth(t *testing.T) {
	feed, srv := newFeedSite(t, 3)
	d := fakediscord.New(t)
	cfg := feedConfig(t, srv.URL, d)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/api/webhooks/1/secret"
	l.Close()
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), d.WebhookURL(hookID, hookToken), refused, 1)), 0o600)
	main := func(args ...string) (int, string) {
		var errb bytes.Buffer
		code := MainContext(context.Background(), append([]string{"--config", cfg}, args...), io.Discard, &errb, func(string) string { return "" })
		return code, errb.String()
	}

	// A dry run on a fresh state shows the newest three, published a day ago.
	code, stderr := main("once", "--dry-run")
	if code != 0 || strings.Count(stderr, "msg=delivered") != 3 || strings.Contains(stderr, "latency=") {
		t.Fatalf("dry run: exit %d, want 3 deliveries and no latency:\n%s", code, stderr)
	}
	if code, stderr := main("once"); code != 0 {
		t.Fatalf("first once: %d\n%s", code, stderr)
	}
	feed.set(func(f *feedSite) { f.n, f.base = 4, time.Now().UTC().Add(-3*time.Second) })
	code, stderr = main("once")
	if code != 1 || !strings.Contains(stderr, "not sent") || strings.Contains(stderr, "outcome unknown") || strings.Contains(stderr, "secret") {
		t.Fatalf("refused webhook: exit %d, want 1, 'not sent' and no 'outcome unknown':\n%s", code, stderr)
	}
}

// TestEveryNewPageFailingTellsOps: when a new layout leaves every new item
// page without text, once fails the source and tells the ops webhook once,
// until a new page is read again (issue 13, defect 3).
func TestEveryNewPageFailingTellsOps(t *testing.T) {
	feed, srv := newFeedSite(t, 3)
	d := fakediscord.New(t)
	cfg := feedConfig(t, srv.URL, d)
	once := func() (int, string) {
		var errb bytes.Buffer
		code := MainContext(context.Background(), []string{"--config", cfg, "once"}, io.Discard, &errb, func(string) string { return "" })
		return code, errb.String()
	}
	if code, stderr := once(); code != 0 {
		t.Fatalf("first once: %d\n%s", code, stderr)
	}
	feed.set(func(f *feedSite) { f.n, f.base, f.noText = 6, time.Now().UTC().Add(-time.Minute), true })
	// The third once only waits for the retries: still failing.
	for i := range 3 {
		code, stderr := once()
		if code != 1 || !strings.Contains(stderr, "every new item failed (3 of 3)") {
			t.Fatalf("once %d on pages without text: exit %d, want 1 and every new item failed:\n%s", i+1, code, stderr)
		}
		if ops := d.MessagesIn(opsHook); len(ops) != 1 || !strings.Contains(ops[0].Content, "is failing") {
			t.Fatalf("once %d: ops told %d times, want once that the source is failing", i+1, len(ops))
		}
	}
	feed.set(func(f *feedSite) { f.noText = false })
	if code, stderr := once(); code != 0 || !strings.Contains(stderr, "source recovered") {
		t.Fatalf("once after the pages were mended: exit %d\n%s", code, stderr)
	}
	ops := d.MessagesIn(opsHook)
	if len(ops) != 2 || !strings.Contains(ops[1].Content, "recovered") {
		t.Fatalf("ops told %d times, want failing then recovered", len(ops))
	}
	if n := len(d.MessagesIn(hookID)); n != 3 {
		t.Fatalf("%d alerts posted, want the 3 new items", n)
	}
}
