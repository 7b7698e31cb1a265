package scraper

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// noiseTags never hold article text.
const noiseTags = "script, style, noscript, template, svg, iframe, form, button, select, input, nav, footer, aside, figure figcaption, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]"

// noiseWords are class and id words of page chrome; a class or id is
// noise when one of its words (split at "-", "_" and spaces) is one.
var noiseWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`share sharing social related breadcrumb breadcrumbs cookie cookies consent
		newsletter subscribe signup footer navbar nav menu sidebar promo banner skip tags pagination pager print
		toolbar disclaimer carousel modal popup search tools caption credit credits gallery video audio download
		downloads langswitch languageselector`) {
		noiseWords[w] = true
	}
}

// noisePairs are two-word names of chrome ("site-header", "read-more").
var noisePairs = map[string]bool{"site header": true, "read more": true, "more from": true, "image box": true,
	"cmp image": true, "sign up": true, "lang switch": true, "language switch": true, "language selector": true}

func isNoiseName(s string) bool {
	if s == "" {
		return false
	}
	// The words of the lower-cased name, split at "-", "_" and " ", each
	// with the one before it.
	l := strings.ToLower(s)
	prev := ""
	for start, i := -1, 0; i <= len(l); i++ {
		if i < len(l) && l[i] != '-' && l[i] != '_' && l[i] != ' ' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start < 0 {
			continue
		}
		w := l[start:i]
		if noiseWords[w] || (prev != "" && noisePairs[prev+" "+w]) {
			return true
		}
		prev, start = w, -1
	}
	return false
}

// knownBodies are where the known sites keep their text, best first:
// nato.int's /cps/ pages (two generations), Public, the new site's text
// components, then the usual article containers.
var knownBodies = compileAll(
	"section.content.cf",
	`div[style*="text-align: justify"]`,
	`div[style*="text-align:justify"]`,
	articleBodyCSS,
	"main article",
	"article",
)

func init() { knownBodies[3] = articleBodyMatcher } // articleBodyCSS, faster

var (
	selHeader     = tagMatcher("header")
	selPageBlocks = cascadia.MustCompile("body, html, main, article")
	selTextBlocks = cascadia.MustCompile("body, main, article")
	selLinks      = tagMatcher("a")
)

func removeNoise(doc *goquery.Document) {
	doc.FindMatcher(noiseMatcher).Remove()
	doc.FindMatcher(selHeader).Each(func(_ int, s *goquery.Selection) {
		// Site headers go; an article's own header keeps nothing of the body
		// either, but its h1 was already read.
		s.Remove()
	})
	doc.FindMatcher(namedMatcher).Each(func(_ int, s *goquery.Selection) {
		if s.IsMatcher(selPageBlocks) {
			return
		}
		cls, _ := s.Attr("class")
		id, _ := s.Attr("id")
		if isNoiseName(cls) || isNoiseName(id) {
			s.Remove()
		}
	})
}

// mainText returns the body paragraphs: from a known container when one
// holds enough text, else from the container a readability-style score
// picks.
func mainText(doc *goquery.Document) []string {
	for _, nodes := range findAll(doc, knownBodies...) {
		var best []string
		for _, n := range nodes {
			if p := paragraphNodes([]*html.Node{n}); textLen(p) > textLen(best) {
				best = p
			}
		}
		if textLen(best) >= minBodyChars {
			return best
		}
	}
	if s := bestContainer(doc); s != nil {
		return withSiblings(s)
	}
	return nil
}

// withSiblings returns the paragraphs of the best container and of its
// siblings that read as text too: articles are often split into several
// text blocks (a lead, text, an image, more text).
func withSiblings(best *goquery.Selection) []string {
	// Climb wrappers that hold nothing but the container.
	for best.Parent().Length() > 0 && best.Parent().Children().Length() == 1 && !best.Parent().IsMatcher(selTextBlocks) {
		best = best.Parent()
	}
	var out []string
	best.Parent().Children().Each(func(_ int, s *goquery.Selection) {
		ps := paragraphs(s)
		if s.IsSelection(best) {
			out = append(out, ps...)
			return
		}
		txt := strings.Join(ps, " ")
		links := len(clean(s.FindMatcher(selLinks).Text()))
		if len(txt) >= 60 && float64(links) < 0.3*float64(len(txt)) && strings.ContainsAny(txt, ".!?") {
			out = append(out, ps...)
		}
	})
	return out
}

func textLen(ps []string) int {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	return n
}

// bestContainer scores every element by the text of the paragraphs directly
// inside it, less what is link text, and returns the best.
func bestContainer(doc *goquery.Document) *goquery.Selection {
	scores := map[*html.Node]float64{}
	var order []*html.Node // the keys of scores, as first scored
	var best *html.Node
	doc.FindMatcher(paragraphsMatcher).Each(func(_ int, p *goquery.Selection) {
		txt := clean(p.Text())
		if len(txt) < 25 {
			return
		}
		links := len(clean(p.FindMatcher(selLinks).Text()))
		score := float64(len(txt)-links) / 100
		if strings.Count(txt, ",")+strings.Count(txt, ".") > 1 {
			score++
		}
		parent := p.Parent()
		if parent.Length() == 0 {
			return
		}
		n := parent.Get(0)
		if _, ok := scores[n]; !ok {
			order = append(order, n)
		}
		scores[n] += score
		if gp := parent.Parent(); gp.Length() > 0 {
			if _, ok := scores[gp.Get(0)]; !ok {
				order = append(order, gp.Get(0))
			}
			scores[gp.Get(0)] += score / 2
		}
	})
	// Of equal scores the first scored wins (map order would pick one at
	// random).
	for _, n := range order {
		if best == nil || scores[n] > scores[best] {
			best = n
		}
	}
	if best == nil {
		return nil
	}
	return doc.FindNodes(best)
}

// blockTags end a paragraph.
var blockTags = map[string]bool{
	"p": true, "div": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "tr": true, "td": true, "th": true, "section": true, "article": true,
	"ul": true, "ol": true, "table": true, "dd": true, "dt": true, "br": false, "hr": true, "figure": true,
}

// paragraphs walks a container and returns its text as paragraphs: each
// block element is one, two <br>s in a row end one, and a turn label
// (<b>Name</b> alone at a paragraph's start) becomes "Name:" on its own.
func paragraphs(s *goquery.Selection) []string { return paragraphNodes(s.Nodes) }

// paragraphNodes is paragraphs of the selection of nodes.
func paragraphNodes(nodes []*html.Node) []string {
	var (
		out []string
		cur []byte // the paragraph so far; its storage is reused
		brs int
	)
	flush := func() {
		if t := cleanBytes(cur); t != "" && !isBoilerplateLine(t) {
			out = append(out, t)
		}
		cur = cur[:0]
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				brs = 0
			}
			cur = append(cur, n.Data...)
			return
		case html.ElementNode:
		case html.DocumentNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			return
		default:
			return
		}
		if n.Data == "br" {
			brs++
			if brs >= 2 {
				flush()
			}
			cur = append(cur, ' ')
			return
		}
		if (n.Data == "b" || n.Data == "strong") && len(bytes.TrimSpace(cur)) == 0 && isTurnLabel(n, "") {
			flush()
			label := strings.TrimSuffix(clean(nodeText(n)), ":")
			out = append(out, label+":")
			return
		}
		block := blockTags[n.Data]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return out
}

// isTurnLabel reports whether a bold element starts a paragraph and names a
// speaker ("NATO Secretary General Mark Rutte", "Question (Reuters)").
func isTurnLabel(n *html.Node, before string) bool {
	if strings.TrimSpace(before) != "" {
		return false
	}
	t := strings.TrimSuffix(clean(nodeText(n)), ":")
	if t == "" || len(t) > 100 {
		return false
	}
	return isSpeakerLabel(t) || questionLabel.MatchString(t)
}

var questionLabel = regexp.MustCompile(`(?i)^(question|q|moderator|answer)\b`)

func nodeText(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

// isBoilerplateLine is boilerplate.MatchString(t). A line whose start, in
// ASCII, begins none of the alternatives (in any case) cannot match, and
// most lines do not; a line starting with other characters goes to the
// expression (case folding there joins "ſ" to "s", "K" to "k").
func isBoilerplateLine(t string) bool {
	var head [len("(as delivered)")]byte
	n := 0
	for ; n < len(head) && n < len(t); n++ {
		c := t[n]
		if c >= utf8.RuneSelf {
			return boilerplate.MatchString(t)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		head[n] = c
	}
	h := head[:n]
	for _, p := range boilerplateStarts {
		if len(h) >= len(p) && string(h[:len(p)]) == p {
			return boilerplate.MatchString(t)
		}
	}
	return false
}

// boilerplateStarts are how the alternatives of boilerplate begin (the
// first literal of each, in lower case), © aside: a non-ASCII start goes to
// the expression anyway.
var boilerplateStarts = []string{"share", "print", "e-mail", "email", "back to top", "read more", "related", "top",
	"follow us", "copyright", "tag", "see also", "download", "(as delivered)", "last updated"}

// boilerplate matches paragraphs that are page furniture, not text.
var boilerplate = regexp.MustCompile(`(?i)^(share( this)?( page| article)?:?|print( this page)?|e-?mail|back to top|read more|related( content| news| articles)?|top|follow us.*|©.*|copyright.*|tags?:.*|see also:?|download.*\(pdf.*\)|\(as delivered\)|last updated:?.*)$`)
