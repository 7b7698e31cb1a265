package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/pgtest"
)

const (
	channelID = "223344556677889900"
	roleID    = "112233445566778899"
	hookID    = "900000000000000001"
	hookToken = "hook-secret-token"
)

// world is a fake NATO site, a fake Discord and a config that joins them.
type world struct {
	t       *testing.T
	site    *fakenato.Site
	discord *fakediscord.Server
	config  string
	env     map[string]string
}

func newWorld(t *testing.T, sourceType, sourcePath, extra string) *world {
	t.Helper()
	return newWorldState(t, "", sourceType, sourcePath, extra)
}

// newWorldState is newWorld with the state the config names ("" for a
// SQLite file in a temporary folder).
func newWorldState(t *testing.T, stateSpec, sourceType, sourcePath, extra string) *world {
	t.Helper()
	w := &world{t: t, site: fakenato.New(t), discord: fakediscord.New(t), env: map[string]string{"DISCORD_TOKEN": fakediscord.DefaultToken}}
	dir := t.TempDir()
	w.config = filepath.Join(dir, "natowatch.yaml")
	if stateSpec == "" {
		stateSpec = filepath.Join(dir, "state.db")
	}
	cfg := fmt.Sprintf(`state: %s
discord:
  token: ${DISCORD_TOKEN}
  api: %s
http:
  per_host_rate: 1000
  backoff: 1ms
sources:
  - name: nato
    type: %s
    url: %s%s
    schedule: "@every 1s"
watches:
  - name: korea
    terms: ["North Korea", "DPRK", "Pyongyang"]
    mention_role: "%s"
targets:
  - webhook: %s
  - channel: "%s"
    watches: [korea]
delivery:
  interval: 100ms
log:
  level: debug
%s`, stateSpec, w.discord.API(), sourceType, w.site.URL(), sourcePath, roleID,
		w.discord.WebhookURL(hookID, hookToken), channelID, extra)
	if err := os.WriteFile(w.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) run(args ...string) (code int, stdout, stderr string) {
	w.t.Helper()
	var out, errb bytes.Buffer
	code = MainContext(context.Background(), append([]string{"--config", w.config}, args...), &out, &errb,
		func(k string) string { return w.env[k] })
	if testing.Verbose() {
		w.t.Logf("natowatch %s → %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return code, out.String(), errb.String()
}

func (w *world) once() {
	w.t.Helper()
	if code, _, stderr := w.run("once"); code != 0 {
		w.t.Fatalf("once exited %d:\n%s", code, stderr)
	}
}

func (w *world) noRejections() {
	w.t.Helper()
	if r := w.discord.Rejections(); len(r) > 0 {
		w.t.Fatalf("Discord rejected %d requests, first: %+v", len(r), r[0])
	}
}

var koreaParagraphs = []string{
	"NATO Allies on Thursday condemned the latest ballistic missile launch by North Korea, which flew over Japan before landing in the Pacific Ocean.",
	"“This launch is a reckless provocation that threatens regional and international security,” said NATO Spokesperson Allison Hart. “We call on Pyongyang to stop its illegal weapons programmes and to engage in dialogue.”",
	"The North Atlantic Council discussed the launch with partners from the Indo-Pacific, including the Republic of Korea and Japan, and agreed to step up the exchange of information.",
	"NATO Secretary General Mark Rutte said that the Alliance stands in solidarity with its partners in the region. “What happens in the Indo-Pacific matters for Euro-Atlantic security,” he said.",
}

var plainParagraphs = []string{
	"NATO Defence Ministers met in Brussels on Thursday to review progress on the Alliance's new capability targets and the readiness of its forces.",
	"Ministers agreed to accelerate investment in air and missile defence, long-range fires and enablers, and to speed up joint procurement through the NATO Support and Procurement Agency.",
	"“We are turning our commitments into capabilities, and doing it faster,” said NATO Secretary General Mark Rutte.",
}

func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testEndToEnd(t, newWorld(t, "nato", "", "")) })
	t.Run("postgres", func(t *testing.T) { testEndToEnd(t, newWorldState(t, pgtest.DSN(t), "nato", "", "")) })
}

func testEndToEnd(t *testing.T, w *world) {
	now := time.Now().UTC()
	for i := 0; i < 3; i++ {
		w.site.Publish(fakenato.Item{Title: fmt.Sprintf("Older release number %d about NATO defence plans", i), Date: now.Add(-time.Duration(i+1) * time.Hour), Paragraphs: plainParagraphs})
	}

	// First run: quiet, records what is there.
	w.once()
	if n := len(w.discord.Messages()); n != 0 {
		t.Fatalf("first run posted %d messages", n)
	}

	// A new release: exactly one alert per target that wants it.
	itemPath := w.site.Publish(fakenato.Item{Slug: "allies-condemn-launch", Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	w.once()
	w.noRejections()
	hook := w.discord.MessagesIn("webhook:" + hookID)
	ch := w.discord.MessagesIn(channelID)
	if len(hook) != 1 || len(ch) != 1 {
		t.Fatalf("after a new release: webhook got %d, channel got %d; want 1 each", len(hook), len(ch))
	}
	e := ch[0].Embeds[0]
	if !strings.Contains(e.Title, "North Korea") || !strings.HasSuffix(e.URL, "/allies-condemn-launch") {
		t.Errorf("embed title %q url %q", e.Title, e.URL)
	}
	if e.Description == "" {
		t.Error("no summary")
	}
	var quote, watch bool
	for _, f := range e.Fields {
		quote = quote || strings.Contains(f.Name, "Allison Hart")
		watch = watch || (strings.HasPrefix(f.Name, "Watch: korea") && strings.Contains(f.Value, "**North Korea**"))
	}
	if !quote || !watch {
		t.Errorf("quote attributed: %v, watch marked: %v; fields %+v", quote, watch, e.Fields)
	}
	if ch[0].Content != "<@&"+roleID+">" || ch[0].AllowedMentions == nil || len(ch[0].AllowedMentions.Parse) != 0 ||
		len(ch[0].AllowedMentions.Roles) != 1 {
		t.Errorf("pings: content %q allowed %+v", ch[0].Content, ch[0].AllowedMentions)
	}
	if ch[0].Nonce == "" {
		t.Error("channel message without a nonce")
	}

	// Again: nothing new, and every request of the check was answered 304
	// (the three JSON listings, the news hub, and the recent release's
	// page; the sitemap was swept on the first run).
	paths := []string{fakenato.SearchPath("news"), fakenato.SearchPath("transcript"), fakenato.SearchPath("official-text"),
		fakenato.HubPath("news"), itemPath}
	before := make([]int, len(paths))
	for i, p := range paths {
		_, before[i] = w.site.Hits(p)
	}
	requests := w.site.Requests()
	w.once()
	if n := len(w.discord.Messages()); n != 2 {
		t.Fatalf("an unchanged check posted: %d messages", n)
	}
	if n := w.site.Requests() - requests; n != len(paths) {
		t.Errorf("an unchanged check made %d requests, want %d", n, len(paths))
	}
	for i, p := range paths {
		if _, nm := w.site.Hits(p); nm != before[i]+1 {
			t.Errorf("%s: not answered 304 in an unchanged check (%d → %d)", p, before[i], nm)
		}
	}

	// The release is corrected silently: one update per target, and the
	// originals are edited.
	edited := append([]string{}, koreaParagraphs...)
	edited[2] = "The North Atlantic Council discussed the launch with partners from the Indo-Pacific and agreed to impose additional export controls on dual-use technology."
	w.site.Edit("allies-condemn-launch", edited)
	w.once()
	w.noRejections()
	hook = w.discord.MessagesIn("webhook:" + hookID)
	ch = w.discord.MessagesIn(channelID)
	if len(hook) != 2 || len(ch) != 2 {
		t.Fatalf("after an edit: webhook got %d, channel got %d; want 2 each", len(hook), len(ch))
	}
	up := ch[1].Embeds[0]
	if ch[1].Content != "" || len(ch[1].AllowedMentions.Roles) != 0 {
		t.Errorf("a correction re-pinged the role: %q %+v", ch[1].Content, ch[1].AllowedMentions)
	}
	if !strings.Contains(up.Author.Name, "Updated") {
		t.Errorf("update not marked: %q", up.Author.Name)
	}
	var added bool
	for _, f := range up.Fields {
		added = added || (f.Name == "Added" && strings.Contains(f.Value, "export controls"))
	}
	if !added {
		t.Errorf("update does not show what changed: %+v", up.Fields)
	}
	if len(hook[0].Edits) != 1 || len(ch[0].Edits) != 1 {
		t.Errorf("originals edited: webhook %d, channel %d times; want 1", len(hook[0].Edits), len(ch[0].Edits))
	}

	// A restart changes nothing: nothing is posted twice.
	w.once()
	w.once()
	if n := len(w.discord.Messages()); n != 4 {
		t.Fatalf("after restarts: %d messages, want 4", n)
	}
	w.noRejections()
}

func TestDryRunOnFreshStateShowsNewestThree(t *testing.T) {
	w := newWorld(t, "nato", "", "")
	now := time.Now().UTC()
	for i := 0; i < 5; i++ {
		w.site.Publish(fakenato.Item{Title: fmt.Sprintf("Release number %d on NATO's deterrence and defence", i), Date: now.Add(-time.Duration(5-i) * time.Hour), Paragraphs: plainParagraphs})
	}
	code, out, stderr := w.run("once", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("dry run printed %d lines, want 3:\n%s", len(lines), out)
	}
	for i, want := range []string{"number 2", "number 3", "number 4"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want %q (oldest of the newest three first)", i, lines[i], want)
		}
	}
	if len(w.discord.Messages()) != 0 {
		t.Fatal("a dry run posted to Discord")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(w.config), "state.db")); !os.IsNotExist(err) {
		t.Fatalf("a dry run created the state file: %v", err)
	}
	// The real first run is still quiet afterwards.
	w.once()
	if len(w.discord.Messages()) != 0 {
		t.Fatal("the first real run after a dry run posted")
	}
}

func TestSourceFailureExitsOneAndLosesNothing(t *testing.T) {
	w := newWorld(t, "nato-legacy", "/cps/en/natohq/news.htm", "")
	now := time.Now().UTC()
	w.site.Publish(fakenato.Item{Title: "An older release on NATO's eastern flank defences", Date: now.Add(-time.Hour), Paragraphs: plainParagraphs})
	w.once()
	slug := "allies-condemn-launch"
	w.site.Publish(fakenato.Item{Slug: slug, Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	item := w.site.LegacyPath(slug)
	w.site.Fail(item, 500)
	code, _, stderr := w.run("once")
	// An item's failure is not its source's (issue 13): logged, retried next time.
	if code != 0 || !strings.Contains(stderr, "500") {
		t.Fatalf("a 500 from an item page: exit %d, stderr:\n%s", code, stderr)
	}
	if n := len(w.discord.Messages()); n != 0 {
		t.Fatalf("posted %d during a failure", n)
	}
	w.site.Fail(item, 0)
	w.once()
	if n := len(w.discord.MessagesIn("webhook:" + hookID)); n != 1 {
		t.Fatalf("after recovery the webhook got %d alerts, want 1", n)
	}
	w.noRejections()
}

func TestDaemonDeliversNewReleaseAndStopsCleanly(t *testing.T) {
	w := newWorld(t, "rss", "/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml", "")
	now := time.Now().UTC()
	w.site.Publish(fakenato.Item{Title: "An older release on NATO's eastern flank defences", Date: now.Add(-time.Hour), Paragraphs: plainParagraphs})
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg   sync.WaitGroup
		code int
		errb syncBuffer
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		code = MainContext(ctx, []string{"--config", w.config, "run"}, &bytes.Buffer{}, &errb, func(k string) string { return w.env[k] })
	}()
	waitFor(t, func() bool { total, _ := w.site.Hits("/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"); return total >= 2 })
	w.site.Publish(fakenato.Item{Slug: "allies-condemn-launch", Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	waitFor(t, func() bool {
		return len(w.discord.MessagesIn(channelID)) == 1 && len(w.discord.MessagesIn("webhook:"+hookID)) == 1
	})
	cancel()
	wg.Wait()
	if code != 0 {
		t.Fatalf("run exited %d:\n%s", code, errb.String())
	}
	if n := len(w.discord.Messages()); n != 2 {
		t.Fatalf("daemon posted %d messages, want 2", n)
	}
	w.noRejections()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the daemon logs to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
