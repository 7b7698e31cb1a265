package scraper

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
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
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		if noiseWords[w] || (i > 0 && noisePairs[words[i-1]+" "+w]) {
			return true
		}
	}
	return false
}

// knownBodies are where the known sites keep their text, best first:
// nato.int's /cps/ pages (two generations), Public, the new site's text
// components, then the usual article containers.
var knownBodies = []string{
	"section.content.cf",
	`div[style*="text-align: justify"]`,
	`div[style*="text-align:justify"]`,
	".article-content, .article__content, .article-body, [itemprop=articleBody], .story-body, .post-content, .entry-content",
	"main article",
	"article",
}

func removeNoise(doc *goquery.Document) {
	doc.Find(noiseTags).Remove()
	doc.Find("header").Each(func(_ int, s *goquery.Selection) {
		// Site headers go; an article's own header keeps nothing of the body
		// either, but its h1 was already read.
		s.Remove()
	})
	doc.Find("[class], [id]").Each(func(_ int, s *goquery.Selection) {
		if s.Is("body, html, main, article") {
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
	for _, sel := range knownBodies {
		var best []string
		doc.Find(sel).Each(func(_ int, s *goquery.Selection) {
			if p := paragraphs(s); textLen(p) > textLen(best) {
				best = p
			}
		})
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
	for best.Parent().Length() > 0 && best.Parent().Children().Length() == 1 && !best.Parent().Is("body, main, article") {
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
		links := len(clean(s.Find("a").Text()))
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
	var best *html.Node
	doc.Find("p, pre, blockquote, li").Each(func(_ int, p *goquery.Selection) {
		txt := clean(p.Text())
		if len(txt) < 25 {
			return
		}
		links := len(clean(p.Find("a").Text()))
		score := float64(len(txt)-links) / 100
		if strings.Count(txt, ",")+strings.Count(txt, ".") > 1 {
			score++
		}
		parent := p.Parent()
		if parent.Length() == 0 {
			return
		}
		n := parent.Get(0)
		scores[n] += score
		if gp := parent.Parent(); gp.Length() > 0 {
			scores[gp.Get(0)] += score / 2
		}
	})
	for n, s := range scores {
		if best == nil || s > scores[best] {
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
func paragraphs(s *goquery.Selection) []string {
	var (
		out []string
		cur strings.Builder
		brs int
	)
	flush := func() {
		if t := clean(cur.String()); t != "" && !boilerplate.MatchString(t) {
			out = append(out, t)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				brs = 0
			}
			cur.WriteString(n.Data)
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
			cur.WriteString(" ")
			return
		}
		if (n.Data == "b" || n.Data == "strong") && isTurnLabel(n, cur.String()) {
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
	for _, n := range s.Nodes {
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

// boilerplate matches paragraphs that are page furniture, not text.
var boilerplate = regexp.MustCompile(`(?i)^(share( this)?( page| article)?:?|print( this page)?|e-?mail|back to top|read more|related( content| news| articles)?|top|follow us.*|©.*|copyright.*|tags?:.*|see also:?|download.*\(pdf.*\)|\(as delivered\)|last updated:?.*)$`)
