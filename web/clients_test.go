package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// need returns the path of a client program, or skips the test without
// it; under CI (or NATOWATCH_FEED_CLIENTS=required, set by .ci/run) a
// missing client fails the test.
func need(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("NATOWATCH_FEED_CLIENTS") == "required" {
		t.Fatalf("%s not installed (Debian: apt-get install newsboat python3-feedparser chromium)", names[0])
	}
	t.Skipf("%s not installed: apt-get install newsboat python3-feedparser chromium", names[0])
	return ""
}

func run(t *testing.T, timeout time.Duration, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// feedparserScript prints what Python's feedparser sees of a feed.
const feedparserScript = `
import importlib.util, json, sys
try:
    import feedparser
except ImportError:
    print(json.dumps({"missing": True})); sys.exit(0)
if sys.argv[1].endswith(".json") and importlib.util.find_spec("feedparser.parsers.json") is None:
    print(json.dumps({"no_json": True, "version_of_feedparser": feedparser.__version__})); sys.exit(0)
d = feedparser.parse(sys.argv[1])
print(json.dumps({"bozo": int(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
    "entries": [{"id": e.get("id"), "updated": e.get("updated"), "updated_parsed": bool(e.get("updated_parsed")),
                 "title": e.get("title"), "summary": e.get("summary")} for e in d.entries]}))
`

// Python's feedparser reads the three formats without a complaint.
func TestFeedparserReadsAllFormats(t *testing.T) {
	py := need(t, "/usr/bin/python3", "python3")
	w := newWorld(t, ":memory:", nil)
	w.seed()
	srv := w.serve()
	ids := map[string][]string{}
	for ext, version := range map[string]string{"atom": "atom10", "rss": "rss20", "json": "json11"} {
		out := run(t, time.Minute, "", nil, py, "-c", feedparserScript, srv.URL+"/feeds/all."+ext)
		var got struct {
			Missing bool
			NoJSON  bool   `json:"no_json"`
			Release string `json:"version_of_feedparser"`
			Bozo    int
			Error   string
			Version string
			Entries []struct {
				ID, Updated, Title string
				UpdatedParsed      bool `json:"updated_parsed"`
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v: %s", ext, err, out)
		}
		if got.Missing {
			need(t, "python3-feedparser")
		}
		if got.NoJSON {
			// Released feedparser (6.0.x, Debian's and PyPI's) has no JSON
			// Feed parser yet: the JSON Feed is read by jsonFeedEntries.
			t.Logf("feedparser %s reads no JSON Feed: checked in Go instead", got.Release)
			ids[ext] = jsonFeedIDs(t, srv.URL+"/feeds/all.json")
			continue
		}
		if got.Bozo != 0 || got.Version != version || len(got.Entries) != 3 {
			t.Errorf("%s: bozo %d (%s), version %q, %d entries", ext, got.Bozo, got.Error, got.Version, len(got.Entries))
		}
		for _, e := range got.Entries {
			if !strings.HasPrefix(e.ID, "urn:uuid:") || e.Updated == "" || !e.UpdatedParsed || e.Title == "" {
				t.Errorf("%s entry %+v", ext, e)
			}
			ids[ext] = append(ids[ext], e.ID)
		}
	}
	if strings.Join(ids["atom"], " ") != strings.Join(ids["rss"], " ") || strings.Join(ids["atom"], " ") != strings.Join(ids["json"], " ") {
		t.Errorf("ids differ between formats: %v", ids)
	}
}

// jsonFeedIDs checks a JSON Feed 1.1's required fields and returns its ids.
func jsonFeedIDs(t *testing.T, url string) []string {
	t.Helper()
	_, body := get(t, url)
	var f struct {
		Version, Title string
		Items          []struct {
			ID            string `json:"id"`
			ContentHTML   string `json:"content_html"`
			DateModified  string `json:"date_modified"`
			DatePublished string `json:"date_published"`
		}
	}
	if err := json.Unmarshal([]byte(body), &f); err != nil || f.Version != "https://jsonfeed.org/version/1.1" || f.Title == "" || len(f.Items) != 3 {
		t.Fatalf("JSON Feed: %v %+v", err, f)
	}
	var ids []string
	for _, it := range f.Items {
		_, e1 := time.Parse(time.RFC3339, it.DateModified)
		_, e2 := time.Parse(time.RFC3339, it.DatePublished)
		if it.ID == "" || it.ContentHTML == "" || e1 != nil || e2 != nil {
			t.Errorf("JSON Feed item %+v", it)
		}
		ids = append(ids, it.ID)
	}
	return ids
}

// newsboat, headless, reloads the Atom feed and lists its entries; after a
// correction the entry is updated in place, not doubled.
func TestNewsboatReadsAtomAndSeesCorrection(t *testing.T) {
	nb := need(t, "newsboat")
	w := newWorld(t, ":memory:", nil)
	w.seed()
	srv := w.serve()
	dir := t.TempDir()
	for name, text := range map[string]string{"urls": srv.URL + "/feeds/all.atom\n", "config": "max-items 0\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reload := func() string {
		return run(t, time.Minute, dir, []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir},
			nb, "-u", "urls", "-C", "config", "-c", "cache.db", "-x", "reload", "print-unread")
	}
	items := func() map[string]string { // guid → content, as newsboat stored them
		db, err := sql.Open("sqlite", filepath.Join(dir, "cache.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(`SELECT guid, content FROM rss_item`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var guid, content string
			if err := rows.Scan(&guid, &content); err != nil {
				t.Fatal(err)
			}
			if _, dup := out[guid]; dup {
				t.Errorf("newsboat holds %s twice", guid)
			}
			out[guid] = content
		}
		return out
	}
	if out := reload(); !strings.Contains(out, "3 unread articles") {
		t.Fatalf("newsboat: %q, want 3 unread articles", out)
	}
	before := items()
	if len(before) != 3 {
		t.Fatalf("newsboat lists %d entries: %v", len(before), before)
	}
	w.now = w.now.Add(time.Hour)
	w.nato.correct("https://www.nato.int/en/news/2026/11/26/speech-2",
		"Secretary General Mark Rutte spoke at the Riga Conference about deterrence, defence and Ukraine.",
		"\"We must invest more in air and missile defence, and we must do it now,\" said the Secretary General.")
	w.check()
	if _, body := get(t, srv.URL+"/feeds/all.atom"); !strings.Contains(body, "Ukraine") {
		t.Fatalf("the correction is not in the feed:\n%s", body)
	}
	reload()
	after := items()
	if len(after) != 3 {
		t.Fatalf("after a correction newsboat lists %d entries: %v", len(after), after)
	}
	changed := 0
	for guid, content := range after {
		if content != before[guid] {
			changed++
			if !strings.Contains(content, "Ukraine") || !strings.Contains(content, "Corrected") {
				t.Errorf("corrected entry %s: %s", guid, content)
			}
		}
	}
	if changed != 1 {
		t.Errorf("%d entries changed, want 1", changed)
	}
}

// chromium runs headless Chromium on a URL with args (--dump-dom,
// --screenshot=…), offline but for 127.0.0.1.
func chromium(t *testing.T, url string, args ...string) string {
	t.Helper()
	bin := need(t, "chromium", "chromium-browser")
	dir := t.TempDir()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + dir,
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--hide-scrollbars", "--proxy-server=direct://", "--timeout=15000"}, args...)
	return run(t, 2*time.Minute, dir, []string{"HOME=" + dir}, bin, append(args, url)...)
}

// artefacts is where tests leave files for a person to look at:
// $NATOWATCH_ARTEFACTS, or natowatch-artefacts in the temporary directory.
func artefacts(t *testing.T) string {
	dir := os.Getenv("NATOWATCH_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "natowatch-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Headless Chromium loads the status page on a state with releases, a
// failing source and alerts waiting: it shows them, and the <script> in a
// release's text did not run (it would have changed the title and the body).
func TestStatusPageInChromium(t *testing.T) {
	need(t, "chromium", "chromium-browser")
	w := newWorld(t, ":memory:", nil)
	w.seed()
	w.now = w.now.Add(10 * time.Minute)
	w.shape.fail = errors.New("listing https://shape.example/feed: 503 Service Unavailable")
	w.check()
	srv := w.serve()
	dom := chromium(t, srv.URL+"/?q=missile", "--dump-dom")
	for _, want := range []string{
		"<title>natowatch</title>",
		"NATO condemns North Korea's missile launch",
		"Speech by the Secretary General at the Riga Conference",
		"“We must invest more in air and missile defence, and we must do it now”",
		"— Secretary General Mark Rutte",
		"&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;Exercise &lt;b&gt;Steadfast&lt;/b&gt; ends",
		"failing since 27 Nov 2026 12:10 UTC: source shape: listing https://shape.example/feed: 503 Service Unavailable",
		"6 pending · 0 failed · 0 targets paused",
		"<td>feed</td>", // the route nato's last listing came by
		"Press release · 27 Nov 2026 · Press Release (2026) 101",
		`id="hits"`, "<b>missile</b>",
		`rel="alternate" type="application/atom+xml"`,
		"version v-test",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<title>pwned", `<a href="javascript:`, "<img", "secret-webhook-token", "discord.com/api/webhooks",
		"223344556677889900", "334455667788990011", "bot-token-secret"} {
		if strings.Contains(dom, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if strings.Count(dom, `class="release"`) != 3 {
		t.Errorf("%d releases shown, want 3", strings.Count(dom, `class="release"`))
	}
	// A desktop and a phone's width, for a person to look at.
	for name, size := range map[string]string{"status-page.png": "900,1700", "status-page-phone.png": "390,2400"} {
		png := filepath.Join(artefacts(t), name)
		chromium(t, srv.URL+"/", "--screenshot="+png, "--window-size="+size)
		if st, err := os.Stat(png); err != nil || st.Size() < 10000 {
			t.Fatalf("screenshot %s: %v", png, err)
		}
		t.Logf("screenshot: %s", png)
	}
}
