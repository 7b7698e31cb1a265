package scraper

import (
	"regexp"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The selectors extraction reads a page with. Each is written once, here,
// and scanPage matches it during its one walk of the page.

// titlesCSS are where a page's title is, best first: pageTitle takes the
// first h1 of each.
var titlesCSS = []string{"main h1", "article h1", "h1.fs-huge", "h1"}

// dateMetasCSS are the metas that date a page, best first.
var dateMetasCSS = []string{`meta[property="article:published_time"]`, `meta[name="date"]`, `meta[name="dcterms.date"]`, `meta[itemprop="datePublished"]`}

// hiddenCSS never shows: what it holds is no title and no text. The new
// nato.int puts login and newsletter dialogs before every article.
const hiddenCSS = `[hidden], [aria-hidden=true], [style#=(?i)display\s*:\s*none], dialog, [role=dialog], [role=alertdialog], template, noscript`

// noiseCSS never holds article text (besides hiddenCSS).
const noiseCSS = "script, style, svg, iframe, form, button, select, input, nav, footer, aside, header, figure figcaption, [role=navigation], [role=banner], [role=contentinfo]"

// dateLinesCSS are the elements that may hold a date line.
const dateLinesCSS = ".date, .fs-small, .event-date, .cmp-date, p, span, div.date"

// timesCSS are the times that may date a page.
const timesCSS = "time[datetime]"

// kindLinesCSS are the elements that may hold a kind line ("Press
// Release", "Official text") near the title.
const kindLinesCSS = "p, span, div, h2, h3, h4, h5, h6, small, strong, b"

// bylineCSS is the new site's transcript subtitle: "by NATO Secretary
// General Mark Rutte at …".
const bylineCSS = "h3.h3-style"

// knownBodies are where the known sites keep their text, best first: the
// new nato.int's text components (an article may be split over several,
// so all of them are read), the /cps/ pages (two generations), then the
// usual article containers.
var knownBodies = []struct {
	css string
	all bool // the text of every match, else of the match with most text
}{
	{"div.ca04-rich-text, div.cmp-text__background-container", true},
	{"section.content.cf", false},
	{`div[style#=(?i)text-align:\s*justify]`, false},
	{".article-content, .article__content, .article-body, [itemprop=articleBody], .story-body, .post-content, .entry-content", false},
	{"main article", false},
	{"article", false},
}

// paragraphsCSS are the paragraphs bestContainer scores.
const paragraphsCSS = "p, pre, blockquote, li"

// selectors are the compiled forms of the CSS above.
type selectors struct {
	canonical, ogTitle, title, hidden, noise, dateLine, kindLine, time, byline, body, para cascadia.Selector
	titles, dateMetas, known                                                               []cascadia.Selector
}

// compiled compiles the selectors on first use: a process that extracts
// nothing does not pay for them.
var compiled = sync.OnceValue(func() *selectors {
	c := func(css string) cascadia.Selector { return cascadia.MustCompile(css) }
	s := &selectors{
		canonical: c(`link[rel="canonical"]`), ogTitle: c(`meta[property="og:title"]`), title: c("title"),
		hidden: c(hiddenCSS), noise: c(noiseCSS), dateLine: c(dateLinesCSS), kindLine: c(kindLinesCSS), time: c(timesCSS),
		byline: c(bylineCSS), body: c("body"), para: c(paragraphsCSS),
	}
	for _, css := range titlesCSS {
		s.titles = append(s.titles, c(css))
	}
	for _, css := range dateMetasCSS {
		s.dateMetas = append(s.dateMetas, c(css))
	}
	for _, k := range knownBodies {
		s.known = append(s.known, c(k.css))
	}
	return s
})

// noiseWords are the class and id words of page chrome; noisePairs its
// two-word names ("site-header", "read-more").
var (
	noiseWords = wordSet("share sharing social related breadcrumb breadcrumbs cookie cookies consent newsletter subscribe " +
		"signup footer navbar nav menu sidebar promo banner skip tags pagination pager print toolbar disclaimer carousel " +
		"modal popup search tools caption credit credits gallery video audio download downloads langswitch languageselector")
	noisePairs = wordSet("site/header read/more more/from image/box cmp/image sign/up lang/switch language/switch language/selector")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// isNoiseName reports a class or id of page chrome: one of its words (split
// at "-", "_" and spaces) is a noise word, or two in a row a noise pair.
func isNoiseName(s string) bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		if noiseWords[w] || i > 0 && noisePairs[words[i-1]+"/"+w] {
			return true
		}
	}
	return false
}

// attrOf is goquery's Attr for one node: the first attribute named key.
func attrOf(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// lazyRegexp compiles expr on first use: start-up pays nothing for the
// expressions of a command that extracts nothing.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
