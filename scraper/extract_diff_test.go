package scraper

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/internal/fakenato"
)

// The differential tests hold Extract to refExtract (extract_ref_test.go,
// the extraction code as it was before it was made to walk a page once) on
// pages rendered by the fake NATO site in its three layouts, on the
// fixtures, and on both mutated.

var diffPages = flag.Int("diffpages", 150, "generated releases for the differential test (each in three layouts, each mutated; a fifth of them with -short or -race)")

// sized is n, or a fifth of it (at least 1) for a -short or -race run: the
// size of a random comparison test.
func sized(n int) int {
	if testing.Short() || raceEnabled {
		return max(1, n/5)
	}
	return n
}

type genPage struct {
	url, contentType string
	body             []byte
}

var (
	genOnce  sync.Once
	genCache []genPage
	genErr   error
)

// generatedPages renders n releases (n ≥ the largest n asked before gives
// the same first pages) with the fake site: titles, kinds and speakers
// drawn, bodies drawn from the golden files' paragraphs, each in the new
// site's, the /cps/ and Public's layout.
func generatedPages(tb testing.TB, n int) []genPage {
	tb.Helper()
	genOnce.Do(func() { genCache, genErr = renderPages(max(n, sized(*diffPages), 100)) })
	if genErr != nil {
		tb.Fatal(genErr)
	}
	if n*3 > len(genCache) {
		tb.Fatalf("only %d generated pages", len(genCache))
	}
	return genCache[:n*3]
}

func renderPages(n int) ([]genPage, error) {
	pool, err := goldenParagraphs()
	if err != nil {
		return nil, err
	}
	site, err := fakenato.Start()
	if err != nil {
		return nil, err
	}
	defer site.Close()
	speakers := []string{"NATO Secretary General Mark Rutte", "NATO Deputy Secretary General Radmila Shekerinska",
		"NATO Spokesperson Allison Hart", "Chair of the NATO Military Committee Admiral Giuseppe Cavo Dragone"}
	titles := map[string][]string{
		"news": {"NATO Allies agree to strengthen air defence after talks in %s (%d)",
			"Secretary General welcomes new contributions at a meeting in %s (%d)"},
		"transcript": {"Press conference by %s following the meeting of Defence Ministers in %s (%d)",
			"Speech by %s at the security conference in %s (%d)", "Doorstep statement by %s ahead of the meeting in %s (%d)"},
		"official-text": {"%s Summit Declaration issued by NATO Heads of State and Government (%d)",
			"Statement by the North Atlantic Council following the meeting in %s (%d)"},
	}
	places := []string{"Brussels", "Vilnius", "Ankara", "The Hague", "Riga"}
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	var out []genPage
	for i := range n {
		rng := rand.New(rand.NewPCG(5, uint64(i)))
		it := fakenato.Item{Date: start.Add(time.Duration(i) * 6 * time.Hour)}
		it.Kind = []string{"news", "news", "transcript", "official-text"}[rng.IntN(4)]
		ts := titles[it.Kind]
		t := ts[rng.IntN(len(ts))]
		switch {
		case it.Kind == "transcript":
			it.Speaker = speakers[rng.IntN(len(speakers))]
			it.Title = fmt.Sprintf(t, it.Speaker, places[rng.IntN(len(places))], i+1)
		case strings.HasPrefix(t, "%s Summit"):
			it.Title = fmt.Sprintf(t, places[rng.IntN(len(places))], i+1)
		default:
			it.Title = fmt.Sprintf(t, places[rng.IntN(len(places))], i+1)
		}
		for range 4 + rng.IntN(21) {
			it.Paragraphs = append(it.Paragraphs, pool[rng.IntN(len(pool))])
		}
		p := site.Publish(it)
		slug := p[strings.LastIndexByte(p, '/')+1:]
		for _, path := range []string{p, site.LegacyPath(slug), site.PublicPath(slug)} {
			resp, err := http.Get(site.URL() + path)
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != 200 {
				return nil, fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
			}
			b = bytes.ReplaceAll(b, []byte(site.URL()), []byte("https://www.nato.int"))
			out = append(out, genPage{"https://www.nato.int" + path, resp.Header.Get("Content-Type"), b})
		}
	}
	return out, nil
}

func goldenParagraphs() ([]string, error) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil {
		return nil, err
	}
	var pool []string
	seen := map[string]bool{}
	for _, f := range files {
		if strings.Contains(f, "listing_") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var a struct{ Body []string }
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, err
		}
		for _, p := range a.Body {
			if len(p) >= 40 && !seen[p] {
				seen[p] = true
				pool = append(pool, p)
			}
		}
	}
	return pool, nil
}

// snippets are markup that steers extraction one way or another, inserted
// by mutate.
var snippets = []string{
	"<b>NATO Secretary General Mark Rutte:</b> ", "<strong>Question [Reuters]:</strong>", "<b>Q</b>", "<br><br>", "<br>",
	`<div class="share-tools">Share this</div>`, `<div id="related_news">x</div>`, `<div class="site-header">h</div>`,
	`<time datetime="2026-01-02T10:00:00Z">2 Jan</time>`, `<time datetime="garbage">x</time>`, "Press Release (2026) 123-EN",
	"11/26/2026 | Press release | Distributed by Public on 11/26/2026 09:12\n", "Distributed by Public", "<header>", "</header>",
	"<aside>", "</aside>", "<nav>", "\u00a0", "\u200b", "\xff\xfe", "<h1>", "</h1>", `<h1 class="fs-huge">T</h1>`,
	`<meta property="og:title" content=" A  title ">`, `<meta name="date" content="24 May. 2017">`, "<p>24 May. 2017 -</p>",
	"<p>Last updated: 13 Mar. 2017 17:35</p>", `<span class="date">07 Aug. 2025</span>`, "<p>", "</p>", "<div>", "</div>",
	"<li>", "<pre>", "<blockquote>", `<section class="content cf">`, `<div style="text-align: justify">`, `<div itemprop="articleBody">`,
	"<article>", "</article>", "<main>", "</main>", "<figure><figcaption>c</figcaption></figure>", `<p hidden>`, `<div aria-hidden="true">`,
	"<a href=x>link text here</a>", "by NATO Secretary General Mark Rutte\n", "(As delivered)", "<title>NATO - News: T, 27-Apr.-2017</title>",
	"<script>x</script>", "<!-- c -->", "&nbsp;", "&amp;", "<table><tr><td>", "</td></tr></table>", "<hr>", "Share this page",
	"<p>Speech</p>", "<p>© NATO</p>", ". , . ,", "<html>", "</html>", "</body>", "<body>", `<link rel="canonical" href="/x/y">`,
}

// mutate makes up to k random edits to b: cuts, copies and insertions of
// snippets, at random places or at tag boundaries.
func mutate(rng *rand.Rand, b []byte, k int) []byte {
	b = append([]byte(nil), b...)
	for range 1 + rng.IntN(k) {
		pos := func() int {
			i := rng.IntN(len(b) + 1)
			if rng.IntN(2) == 0 {
				if j := bytes.IndexByte(b[i:], '<'); j >= 0 {
					i += j
				}
			}
			return i
		}
		switch rng.IntN(6) {
		case 0: // cut
			i := pos()
			j := min(len(b), i+rng.IntN(2000))
			b = append(b[:i:i], b[j:]...)
		case 1: // copy a range elsewhere
			i := pos()
			j := min(len(b), i+rng.IntN(1500))
			seg := append([]byte(nil), b[i:j]...)
			at := pos()
			b = append(b[:at:at], append(seg, b[at:]...)...)
		default:
			s := snippets[rng.IntN(len(snippets))]
			at := pos()
			b = append(b[:at:at], append([]byte(s), b[at:]...)...)
		}
	}
	return b
}

func sameExtract(t *testing.T, name string, body []byte, url, ctype string) bool {
	t.Helper()
	got, gerr := Extract(body, url, ctype)
	ref, werr := refExtract(body, url, ctype)
	want := (*Article)(ref)
	if fmt.Sprint(gerr) == fmt.Sprint(werr) && reflect.DeepEqual(got, want) {
		return true
	}
	t.Errorf("%s (%s): Extract differs from the reference:\n got %v\nwant %v\n%s", name, url, gerr, werr, articleDiff(got, want))
	return false
}

// articleDiff lists the fields where a and b differ.
func articleDiff(a, b *Article) string {
	if a == nil || b == nil {
		return fmt.Sprintf("got %+v\nwant %+v", a, b)
	}
	var out strings.Builder
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for i := range va.NumField() {
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(fa, fb) {
			continue
		}
		if x, ok := fa.([]string); ok {
			y := fb.([]string)
			fmt.Fprintf(&out, "%s: %d vs %d items\n", va.Type().Field(i).Name, len(x), len(y))
			for j := range max(len(x), len(y)) {
				var p, q string
				if j < len(x) {
					p = x[j]
				}
				if j < len(y) {
					q = y[j]
				}
				if p != q {
					fmt.Fprintf(&out, "  [%d] got  %q\n      want %q\n", j, p, q)
				}
			}
			continue
		}
		fmt.Fprintf(&out, "%s: got %#v\n  want %#v\n", va.Type().Field(i).Name, fa, fb)
	}
	return out.String()
}

func TestExtractMatchesReference(t *testing.T) {
	type page struct {
		name string
		genPage
	}
	var pages []page
	for _, f := range pageFixtures {
		pages = append(pages, page{f.file, genPage{f.url, f.contentType, readFixture(t, f.file)}})
	}
	for _, f := range []string{"broken/no-body.html", "broken/truncated.html", "html/newsroom.html", "legacy/news-listing.html", "new/news-hub.html"} {
		pages = append(pages, page{f, genPage{"https://www.nato.int/cps/en/natohq/news_1.htm", "text/html", readFixture(t, f)}})
	}
	for i, p := range generatedPages(t, sized(*diffPages)) {
		pages = append(pages, page{fmt.Sprintf("generated %d", i), p})
	}
	failed := 0
	for i, p := range pages {
		if !sameExtract(t, p.name, p.body, p.url, p.contentType) {
			failed++
		}
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		for m := range 4 {
			body := mutate(rng, p.body, 1+m*3)
			ctype := p.contentType
			if rng.IntN(20) == 0 {
				ctype = "text/plain"
			}
			if !sameExtract(t, fmt.Sprintf("%s, mutation %d", p.name, m), body, p.url, ctype) {
				failed++
			}
		}
		if failed > 5 {
			t.Fatal("too many differences")
		}
	}
}

func FuzzExtractMatchesReference(f *testing.F) {
	for _, p := range pageFixtures {
		f.Add(readFixture(f, p.file), p.url, p.contentType)
	}
	f.Add(readFixture(f, "broken/truncated.html"), "https://www.nato.int/en/x", "text/html")
	f.Add([]byte("<html><body><b>Q</b><br><br><p>\x00</p>"), "https://example.org/", "text/html")
	f.Fuzz(func(t *testing.T, body []byte, pageURL, contentType string) {
		sameExtract(t, "fuzz", body, pageURL, contentType)
	})
}

// BenchmarkExtractGenerated is Extract over generated pages (the three
// layouts in turn): ns/op is per page. BenchmarkParseGenerated is goquery
// parsing the same pages, the yardstick; BenchmarkRefExtractGenerated the
// reference code.
func BenchmarkExtractGenerated(b *testing.B) {
	benchGenerated(b, func(p genPage) {
		if _, err := Extract(p.body, p.url, p.contentType); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkRefExtractGenerated(b *testing.B) {
	benchGenerated(b, func(p genPage) {
		if _, err := refExtract(p.body, p.url, p.contentType); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkParseGenerated(b *testing.B) {
	benchGenerated(b, func(p genPage) {
		if _, err := goquery.NewDocumentFromReader(bytes.NewReader(p.body)); err != nil {
			b.Fatal(err)
		}
	})
}

func benchGenerated(b *testing.B, f func(genPage)) {
	all := generatedPages(b, 100)
	for _, layout := range []string{"all", "new", "legacy", "public"} {
		var pages []genPage
		for i, p := range all {
			if layout == "all" || layout == []string{"new", "legacy", "public"}[i%3] {
				pages = append(pages, p)
			}
		}
		b.Run(layout, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f(pages[i%len(pages)])
				i++
			}
		})
	}
}

// BenchmarkExtractVsParse times goquery parsing, Extract and the reference
// on each page in turn (generated pages, all or by layout, and each
// fixture), so that a noisy machine slows all three alike, and
// reports each per page and Extract's and the reference's time over the
// parse's (ns/op is all three together). On Linux the times are the
// thread's CPU time, which leaves out the time other processes had the
// core (and the garbage collector's background work).
func BenchmarkExtractVsParse(b *testing.B) {
	all := generatedPages(b, 100)
	clock := threadCPU
	if !haveThreadCPU {
		start := time.Now()
		clock = func() time.Duration { return time.Since(start) }
	}
	type group struct {
		name  string
		pages []genPage
	}
	var groups []group
	for _, layout := range []string{"all", "new", "legacy", "public"} {
		var pages []genPage
		for i, p := range all {
			if layout == "all" || layout == []string{"new", "legacy", "public"}[i%3] {
				pages = append(pages, p)
			}
		}
		groups = append(groups, group{layout, pages})
	}
	for _, f := range pageFixtures {
		groups = append(groups, group{f.file, []genPage{{f.url, f.contentType, readFixture(b, f.file)}}})
	}
	for _, g := range groups {
		pages := g.pages
		b.Run(g.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var parse, extract, ref time.Duration
			i := 0
			for b.Loop() {
				p := pages[i%len(pages)]
				for k := range 3 {
					t0 := clock()
					switch (i + k) % 3 {
					case 0:
						if strings.HasPrefix(p.contentType, "text/plain") {
							// Not parsed: Extract splits the text.
						} else if _, err := goquery.NewDocumentFromReader(bytes.NewReader(p.body)); err != nil {
							b.Fatal(err)
						}
						parse += clock() - t0
					case 1:
						if _, err := Extract(p.body, p.url, p.contentType); err != nil {
							b.Fatal(err)
						}
						extract += clock() - t0
					default:
						if _, err := refExtract(p.body, p.url, p.contentType); err != nil {
							b.Fatal(err)
						}
						ref += clock() - t0
					}
				}
				i++
			}
			n := float64(i)
			b.ReportMetric(float64(parse.Nanoseconds())/n, "parse-ns/page")
			b.ReportMetric(float64(extract.Nanoseconds())/n, "extract-ns/page")
			b.ReportMetric(float64(ref.Nanoseconds())/n, "ref-ns/page")
			b.ReportMetric(float64(extract)/float64(parse), "extract/parse")
			b.ReportMetric(float64(ref)/float64(parse), "ref/parse")
		})
	}
}
