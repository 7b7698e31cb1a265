// Package bench measures natowatch against the targets of issue #5: the
// release pipeline's throughput, the cost of a check that finds nothing
// new, watch matching, fan-out to Discord, latency, memory footprint and the
// first-run command. Everything runs offline, against generated pages and
// the fakes of nato.int and Discord on 127.0.0.1.
//
// The Go benchmarks (go test -bench . ./bench) and the bench command
// (cmd/natowatch-bench, scripts/bench.sh) share the code here; BENCHMARKS.md
// has the numbers and the command behind each.
package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
)

// Page is one generated release page, as a fetch would return it.
type Page struct {
	URL         string // https://www.nato.int/… (the host is fixed, whatever port the fake had)
	Body        []byte
	ContentType string
	Title       string
	Published   time.Time
	Form        string // "new", "legacy" or "public": which of the site's layouts
}

// Corpus is a deterministic set of release pages and an RSS feed listing
// them, newest first.
type Corpus struct {
	Pages []Page
	Feed  []byte
	Hash  string // SHA-256 of every page and the feed: the same for every run
}

// Host is the base URL the corpus's pages claim to come from.
const Host = "https://www.nato.int"

// FeedURL is where the corpus's feed is served (by MemSite).
const FeedURL = Host + "/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"

// corpusStart is the publication date of the first generated release.
var corpusStart = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// Items generates n releases: titles from templates, bodies drawn from the
// paragraphs of the scraper's fixture pages and of the sample press point,
// dates six hours apart from corpusStart. The same n gives the same items.
func Items(n int) ([]fakenato.Item, error) {
	pool, err := paragraphPool()
	if err != nil {
		return nil, err
	}
	items := make([]fakenato.Item, n)
	for i := range items {
		items[i] = item(pool, i)
	}
	return items, nil
}

// item is the i-th generated release.
func item(pool []string, i int) fakenato.Item {
	rng := rand.New(rand.NewPCG(2026, uint64(i)))
	it := fakenato.Item{Date: corpusStart.Add(time.Duration(i) * 6 * time.Hour)}
	k := rng.IntN(10)
	switch {
	case k < 5:
		it.Kind = "news"
		it.Title = fmt.Sprintf(pick(rng, newsTitles), pick(rng, places), i+1)
	case k < 8:
		it.Kind = "transcript"
		it.Speaker = pick(rng, speakers)
		it.Title = fmt.Sprintf(pick(rng, speechTitles), it.Speaker, pick(rng, places), i+1)
	default:
		it.Kind = "official-text"
		it.Title = fmt.Sprintf(pick(rng, officialTitles), pick(rng, places), i+1)
	}
	np := 4 + rng.IntN(21)
	for range np {
		it.Paragraphs = append(it.Paragraphs, pool[rng.IntN(len(pool))])
	}
	return it
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

var (
	places = []string{"Brussels", "Vilnius", "Washington", "Ankara", "Madrid", "Oslo", "Tallinn", "Warsaw",
		"Bucharest", "Riga", "Seoul", "Tokyo", "Kyiv", "Helsinki", "Stockholm", "The Hague", "Rome", "Sofia"}
	speakers = []string{"NATO Secretary General Mark Rutte", "NATO Deputy Secretary General Radmila Shekerinska",
		"NATO Spokesperson Allison Hart", "Chair of the NATO Military Committee Admiral Giuseppe Cavo Dragone"}
	newsTitles = []string{
		"NATO Allies agree to strengthen air and missile defence after talks in %s (%d)",
		"Secretary General welcomes new contributions to Baltic Sentry at a meeting in %s (%d)",
		"NATO and partners discuss support for Ukraine in %s (%d)",
		"Allied Defence Ministers review deterrence and defence posture in %s (%d)",
		"NATO exercise tests rapid reinforcement of the eastern flank near %s (%d)",
		"North Atlantic Council visits Allied forces in %s (%d)",
	}
	speechTitles = []string{
		"Press conference by %s following the meeting of Defence Ministers in %s (%d)",
		"Press point by %s at the Foreign Ministers meeting in %s (%d)",
		"Speech by %s at the security conference in %s (%d)",
		"Doorstep statement by %s ahead of the meeting in %s (%d)",
	}
	officialTitles = []string{
		"%s Summit Declaration issued by NATO Heads of State and Government (%d)",
		"Statement by the North Atlantic Council following the meeting in %s (%d)",
		"Joint statement of the NATO-Ukraine Council meeting in %s (%d)",
	}
)

// paragraphPool is every body paragraph of the scraper's golden files and
// of the sample press point, deduplicated, in a fixed order.
func paragraphPool() ([]string, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	var pool []string
	seen := map[string]bool{}
	add := func(p string) {
		p = strings.Join(strings.Fields(p), " ")
		// Labels and other short lines alone would make a page without
		// text; every paragraph drawn holds a sentence or more.
		if len(p) < 40 || strings.HasSuffix(p, ":") || seen[p] {
			return
		}
		seen[p] = true
		pool = append(pool, p)
	}
	goldens, err := filepath.Glob(filepath.Join(root, "scraper", "testdata", "golden", "*.json"))
	if err != nil {
		return nil, err
	}
	for _, g := range goldens {
		if strings.Contains(filepath.Base(g), "listing_") {
			continue
		}
		b, err := os.ReadFile(g)
		if err != nil {
			return nil, err
		}
		var a struct{ Body []string }
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("%s: %w", g, err)
		}
		for _, p := range a.Body {
			add(p)
		}
	}
	sample, err := os.ReadFile(filepath.Join(root, "summary", "testdata", "publicnow-nato-2017-11-02-seoul-press-point.txt"))
	if err != nil {
		return nil, err
	}
	for i, p := range strings.Split(strings.ReplaceAll(string(sample), "\r\n", "\n"), "\n\n") {
		if i >= 3 { // issuer, header line, title
			add(p)
		}
	}
	if len(pool) < 50 {
		return nil, fmt.Errorf("bench: only %d paragraphs found for the corpus", len(pool))
	}
	return pool, nil
}

// moduleRoot finds the directory of go.mod, from this source file (tests,
// go run) or from the working directory (a built bench command).
func moduleRoot() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/natowatch/natowatch\n") {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("bench: cannot find the natowatch module root (run from the checkout)")
}

// NewCorpus renders n generated releases with the fake NATO site's
// templates, in its three layouts in turn (new site, /cps/ page, Public
// view), and a feed that lists them all.
func NewCorpus(n int) (*Corpus, error) {
	items, err := Items(n)
	if err != nil {
		return nil, err
	}
	site, err := fakenato.Start()
	if err != nil {
		return nil, err
	}
	defer site.Close()
	c := &Corpus{}
	for i, it := range items {
		newPath := site.Publish(it)
		slug := newPath[strings.LastIndexByte(newPath, '/')+1:]
		var path, form string
		switch i % 3 {
		case 0:
			path, form = newPath, "new"
		case 1:
			path, form = site.LegacyPath(slug), "legacy"
		default:
			path, form = site.PublicPath(slug), "public"
		}
		body, ctype, err := fetchNormalised(site, path, it.Date)
		if err != nil {
			return nil, err
		}
		c.Pages = append(c.Pages, Page{URL: Host + path, Body: body, ContentType: ctype, Title: it.Title, Published: it.Date, Form: form})
	}
	c.Feed = Feed(c.Pages)
	h := sha256.New()
	for _, p := range c.Pages {
		h.Write([]byte(p.URL))
		h.Write(p.Body)
	}
	h.Write(c.Feed)
	c.Hash = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// fetchNormalised gets a page from the fake site and makes it independent
// of the run: the fake's address becomes Host, and its modification stamps
// (the time the fake published it) become the release's date.
func fetchNormalised(site *fakenato.Site, path string, date time.Time) ([]byte, string, error) {
	resp, err := http.Get(site.URL() + path)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("bench: corpus page %s: HTTP %d", path, resp.StatusCode)
	}
	s := strings.ReplaceAll(string(b), site.URL(), Host)
	s = strings.ReplaceAll(s, templateEscape(site.URL()), templateEscape(Host))
	if mod, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		mod = mod.UTC()
		fixed := date.Add(10 * time.Hour)
		s = strings.ReplaceAll(s, mod.Format(time.RFC3339), fixed.Format(time.RFC3339))
		s = strings.ReplaceAll(s, natoDate(mod)+mod.Format(" 15:04"), natoDate(fixed)+fixed.Format(" 15:04"))
	}
	return []byte(s), resp.Header.Get("Content-Type"), nil
}

// templateEscape escapes a URL as html/template does inside a query value.
func templateEscape(u string) string {
	return strings.NewReplacer(":", "%3a", "/", "%2f").Replace(u)
}

func natoDate(t time.Time) string {
	return fmt.Sprintf("%02d %s. %d", t.Day(), t.Month().String()[:3], t.Year())
}

// Feed renders an RSS feed of pages, newest first, with NATO's odd dates.
func Feed(pages []Page) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>NATO - News</title><link>` + Host + `/cps/en/natohq/news.htm</link><description>bench</description>` + "\n")
	for i := len(pages) - 1; i >= 0; i-- {
		p := pages[i]
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s 12:00:00 GMT</pubDate></item>\n",
			xmlEscape(p.Title), xmlEscape(p.URL), xmlEscape(p.URL), natoDate(p.Published))
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// Only returns the corpus's pages of one layout ("new", "legacy",
// "public"), with their feed.
func (c *Corpus) Only(form string) *Corpus {
	sub := &Corpus{Hash: c.Hash}
	for _, p := range c.Pages {
		if p.Form == form {
			sub.Pages = append(sub.Pages, p)
		}
	}
	sub.Feed = Feed(sub.Pages)
	return sub
}

// MeanKB is the pages' mean size in KB (1,000 bytes).
func (c *Corpus) MeanKB() float64 {
	if len(c.Pages) == 0 {
		return 0
	}
	n := 0
	for _, p := range c.Pages {
		n += len(p.Body)
	}
	return float64(n) / float64(len(c.Pages)) / 1000
}
