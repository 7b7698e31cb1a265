package scraper

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// awkwardMarkup has the cases the scan must get right:
// odd white space in class lists, attributes repeated, empty values, tags
// out of place.
const awkwardMarkup = `<html><head><link rel="canonical stylesheet" href="/no"><link rel=canonical href="/x" rel="x">
	<meta property="og:title" property="x" content="T"><meta name="x" name="date" content="2026-01-02">
	<meta itemprop="datePublished" content="bad"><meta name="dcterms.date" content="3 Jan 2026"></head><body>
	<div class="x  date	y" hidden="">a</div><div class="date-line cmp-date"></div><span class="">s</span>
	<div role="Navigation">n</div><div role="banner" aria-hidden="false">b</div><div aria-hidden="true"></div>
	<figure><div><figcaption>c</figcaption></div></figure><figcaption>free</figcaption>
	<time datetime>t</time><time>t</time><main><time datetime="2026-01-02">t</time><h1>in main</h1>
	<article><h1 class="x fs-huge">h</h1><article class="share">nested</article></article></main>
	<div itemprop="articlebody">i</div><div itemprop="articleBody">I</div><div class="post-content
	story-body">p</div><svg><title>svg title</title><h1>svg h1</h1></svg><math><mi>x</mi></math>
	<input type="hidden"><li>l</li><pre>p</pre><blockquote>q</blockquote><h1 class="fs-huge">h</h1>
	<div id="">e</div><div class=entry-content class=share>e</div><header>h</header><a>a</a><meta name="date">
	<section class="content" class="cf">s</section><section class="cf content x">s</section>
	<div style="color: red; text-align: justify">j</div><div style="TEXT-ALIGN:justify">J</div><div style="text-align:justify">j2</div>
	<div class="Share-Tools">x</div><div id="site_header">x</div><div class="read more">x</div><div class="imagebox">x</div>
	<article id="related"><p>kept</p></article><main class="nav"><p>kept too</p></main><body class="menu">b</body>
	<div class="ſhare K">x</div><div class="ÉLAN menu">x</div><div role="contentinfo"><p>ci</p></div>
	<div role="navigation"><p>n</p></div><section role="banner"><p>b</p></section><span hidden><p>h</p></span>
	</body></html>`

// TestScanAgreesWithCSS checks what scanPage gathers in its one walk
// against goquery running the same selectors, and that the page it leaves
// once the noise is detached holds no noise.
func TestScanAgreesWithCSS(t *testing.T) {
	docs := [][]byte{[]byte(awkwardMarkup), []byte("<template><body>Press Release (</body></template><svg><body>x</body></svg>"),
		[]byte("<body><div class=\"x\fdate\">d</div><p class=\"post-content\fx\">pc</p><div style=\"DISPLAY: None\"><p>h</p></div></body>")}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.htm*"))
	for _, f := range files {
		docs = append(docs, readFixture(t, filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))))
	}
	for i, d := range docs {
		if err := scanAgrees(d); err != nil {
			t.Errorf("doc %d: %v", i, err)
		}
	}
}

func scanAgrees(d []byte) error {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(d))
	if err != nil {
		return err
	}
	s := scanPage(doc.Nodes[0])
	first := func(css string) *html.Node {
		if n := doc.Find(css).Nodes; len(n) > 0 {
			return n[0]
		}
		return nil
	}
	var errs []string
	check := func(what string, got, want []*html.Node) {
		if !slices.Equal(got, want) {
			errs = append(errs, fmt.Sprintf("%s: %d nodes, CSS %d", what, len(got), len(want)))
		}
	}
	one := func(n *html.Node) []*html.Node {
		if n == nil {
			return nil
		}
		return []*html.Node{n}
	}
	check("canonical", one(s.canonical), one(first(`link[rel="canonical"]`)))
	check("og:title", one(s.ogTitle), one(first(`meta[property="og:title"]`)))
	check("title", one(s.title), one(first("title")))
	for i, css := range dateMetasCSS {
		check(css, one(s.dateMetas[i]), one(first(css)))
	}
	for i, css := range titlesCSS {
		visible := doc.Find(css).FilterFunction(func(_ int, sel *goquery.Selection) bool {
			return sel.Closest(hiddenCSS).Length() == 0
		})
		check(css, one(s.h1s[i]), visible.First().Nodes)
	}
	check("times", s.times, doc.Find(timesCSS).Nodes)
	lines := doc.Find(dateLinesCSS).Nodes
	check("date lines", s.dateLines, lines[:min(len(lines), maxDateLines)])
	check("bodies", s.bodies, doc.Find("body").Nodes)

	detach(s.noise)
	if n := doc.Find(hiddenCSS + ", " + noiseCSS).Length(); n > 0 {
		errs = append(errs, fmt.Sprintf("%d noise elements left", n))
	}
	doc.Find("[class], [id]").Not("body, html, main, article").Each(func(_ int, sel *goquery.Selection) {
		cls, _ := sel.Attr("class")
		id, _ := sel.Attr("id")
		if isNoiseName(cls) || isNoiseName(id) {
			errs = append(errs, fmt.Sprintf("noise %q %q left", cls, id))
		}
	})
	attached := func(ns []*html.Node) []*html.Node {
		var out []*html.Node
		for _, n := range ns {
			if s.attached(n) {
				out = append(out, n)
			}
		}
		return out
	}
	for i, k := range knownBodies {
		check(k.css, attached(s.known[i]), doc.Find(k.css).Nodes)
	}
	check("paragraphs", attached(s.paras), doc.Find(paragraphsCSS).Nodes)
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
