package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// fourKinds publishes one item of each kind, dated at.
func fourKinds(site *fakenato.Site, tag string, at time.Time) {
	site.Publish(fakenato.Item{Title: "NATO Allies agree on air defence " + tag, Date: at, Paragraphs: plainParagraphs})
	site.Publish(fakenato.Item{Kind: "press-release", Title: "Statement on the missile launch " + tag, Date: at, Paragraphs: koreaParagraphs})
	site.Publish(fakenato.Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: at, Paragraphs: plainParagraphs,
		Byline: "by NATO Secretary General Mark Rutte ahead of the meetings of NATO Ministers of Foreign Affairs " + tag + " | Brussels, Belgium"})
	site.Publish(fakenato.Item{Kind: "official-text", Title: "Declaration of the North Atlantic Council " + tag, Date: at, Paragraphs: plainParagraphs})
}

// The rebuilt fake, as nato-sources.md describes nato.int: the default
// source's first run is quiet and exits 0; new items of all four kinds are
// posted once, without dialog text; with a JSON listing answering 400 the
// sitemap still finds new items and the source is not failing.
func TestNATOSiteEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10 MB sitemap")
	}
	w := newWorld(t, "nato", "", "")
	b, _ := os.ReadFile(w.config)
	// Sweeps at every check: a test cannot wait the 15 minutes the
	// fallback waits between two reads of the sitemap.
	cfg := strings.Replace(string(b), "    schedule:", "    sitemap_every: 1ms\n    schedule:", 1)
	// A target that wants press releases only.
	const prHook = "900000000000000002"
	cfg = strings.Replace(cfg, "targets:\n", "targets:\n  - webhook: "+w.discord.WebhookURL(prHook, "tok2")+"\n    types: [press release]\n", 1)
	os.WriteFile(w.config, []byte(cfg), 0o600)
	w.site.Archive(60000)
	now := time.Now().UTC()
	fourKinds(w.site, "(older)", now.AddDate(0, 0, -3))

	w.once()
	if n := len(w.discord.Messages()); n != 0 {
		t.Fatalf("first run posted %d messages", n)
	}
	// The same generic slug as an older transcript, on another date.
	fourKinds(w.site, "(new)", now.AddDate(0, 0, -1))
	w.once()
	w.noRejections()
	hook := w.discord.MessagesIn("webhook:" + hookID)
	if len(hook) != 4 {
		t.Fatalf("four new items: the webhook got %d messages", len(hook))
	}
	kinds := map[string]bool{}
	for _, m := range hook {
		e := m.Embeds[0]
		if e.Author != nil {
			kind, _, _ := strings.Cut(e.Author.Name, " · ")
			kinds[kind] = true
		}
		if strings.HasPrefix(e.Title, "Press conference") && !strings.HasPrefix(e.Title, "Press conference by NATO Secretary General Mark Rutte ahead of the meetings of NATO Ministers of Foreign Affairs") {
			t.Errorf("a transcript's title without its by-line: %q", e.Title)
		}
		all := e.Title + e.Description
		for _, f := range e.Fields {
			all += f.Name + f.Value
		}
		if strings.Contains(all, "MULTIMEDIA ACCOUNT") || strings.Contains(all, "verification code") {
			t.Errorf("dialog text in the alert %q", e.Title)
		}
	}
	for _, k := range []string{"News", "Press release", "Speech/transcript", "Official text"} {
		if !kinds[k] {
			t.Errorf("no alert of kind %q among %v", k, kinds)
		}
	}
	if pr := w.discord.MessagesIn("webhook:" + prHook); len(pr) != 1 || !strings.HasPrefix(pr[0].Embeds[0].Title, "Statement on the missile launch") {
		t.Errorf("types: [press release] received %d messages, want the press release alone", len(pr))
	}
	w.once()
	if n := len(w.discord.MessagesIn("webhook:" + hookID)); n != 4 {
		t.Fatalf("posted twice: %d messages", n)
	}

	w.site.Fail(fakenato.SearchPath("news"), 400)
	w.site.Publish(fakenato.Item{Title: "NATO Allies open a new air defence centre", Date: now, Paragraphs: plainParagraphs})
	code, _, stderr := w.run("once")
	if code != 0 || strings.Contains(stderr, "source is failing") || !strings.Contains(stderr, "JSON listing refused") {
		t.Fatalf("JSON listing answering 400: exit %d\n%s", code, stderr)
	}
	if n := len(w.discord.MessagesIn("webhook:" + hookID)); n != 5 {
		t.Fatalf("the sitemap did not stand in for the JSON listing: %d messages, want 5", n)
	}
}

// What the default nato source costs with the 10 MB sitemap in place, run
// as an operator runs it: the first run (time, peak memory) and a warm
// idle check (at most 4 requests, under 100 KB). BENCHMARKS.md quotes the
// numbers it logs: go test ./cli -run TestNATOSiteCosts -v
func TestNATOSiteCosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; a 10 MB sitemap")
	}
	bin := testbin.Build(t)
	site := fakenato.New(t)
	site.Archive(60000)
	now := time.Now().UTC()
	for d := 1; d <= 5; d++ {
		fourKinds(site, fmt.Sprintf("(day %d)", d), now.AddDate(0, 0, -d))
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "natowatch.yaml")
	// The built-in default, pointed at the fake.
	os.WriteFile(cfg, []byte(fmt.Sprintf("state: %s\nsources:\n  - name: nato\n    type: nato\n    url: %s\n    schedule: \"*/5 * * * *\"\n",
		filepath.Join(dir, "natowatch.db"), site.URL())), 0o600)
	// Peak memory as /usr/bin/time reports it: the test process's own
	// rusage of a child counts what the child inherited at fork.
	timeBin, _ := exec.LookPath("/usr/bin/time")
	once := func() (time.Duration, int64, string) {
		cmd := exec.Command(bin, "--config", cfg, "once")
		if timeBin != "" {
			cmd = exec.Command(timeBin, append([]string{"-f", "natowatch-maxrss %M"}, cmd.Args...)...)
		}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("once: %v\n%s", err, errb.String())
		}
		var rss int64
		for _, line := range strings.Split(errb.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "natowatch-maxrss "); ok {
				rss, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64) // KiB
			}
		}
		return took, rss, errb.String()
	}
	// The fake compresses its sitemap once, on the first request: do it
	// before the clock runs, so the time is natowatch's.
	req, _ := http.NewRequest(http.MethodGet, site.URL()+"/sitemap.xml", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	reqs, sent := site.Requests(), site.Bytes()
	took, rss, logs := once()
	if !strings.Contains(logs, "route=json+sitemap") {
		t.Errorf("the first run did not sweep the sitemap:\n%s", logs)
	}
	t.Logf("first run: %s wall, peak RSS %.1f MiB, %d requests, %.1f MB downloaded", took.Round(time.Millisecond), float64(rss)/1024,
		site.Requests()-reqs, float64(site.Bytes()-sent)/1e6)
	once() // the first check with validators for everything
	reqs, sent = site.Requests(), site.Bytes()
	took, rss, logs = once()
	n, bytes := site.Requests()-reqs, site.Bytes()-sent
	t.Logf("warm idle check: %d requests, %d bytes, %s wall, peak RSS %.1f MiB", n, bytes, took.Round(time.Millisecond), float64(rss)/1024)
	if n > 4 || bytes >= 100_000 {
		t.Errorf("a warm idle check cost %d requests and %d bytes; want at most 4 and under 100 KB\n%s", n, bytes, logs)
	}
}
