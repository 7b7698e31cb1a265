package scraper

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// removeNoise removes the page's chrome: what hiddenCSS and noiseCSS
// match (headers included: an article's own header keeps nothing of the
// body either), elements named as noise (isNoiseName; body, html, main and
// article aside) and blocks of dialog text.
func removeNoise(doc *goquery.Document) {
	for _, root := range doc.Nodes {
		detach(scanPage(root).noise)
	}
}

// detach removes each node from its parent.
func detach(nodes []*html.Node) {
	for _, n := range nodes {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// mainText returns the body paragraphs of a page whose noise is gone:
// from a known container when one holds enough text, else from the
// container a readability-style score picks.
func mainText(s *pageScan) []string {
	for i, nodes := range s.known {
		nodes = s.attachedOnly(nodes)
		var best []string
		if knownBodies[i].all {
			best = paragraphNodes(withTextSiblings(outermost(nodes)))
		} else {
			for _, n := range nodes {
				if p := paragraphNodes([]*html.Node{n}); textLen(p) > textLen(best) {
					best = p
				}
			}
		}
		if textLen(best) >= minBodyChars {
			return best
		}
	}
	if best := bestContainer(s.attachedOnly(s.paras)); best != nil {
		return withSiblings(best)
	}
	return nil
}

// withTextSiblings adds to the text components found the other text
// components beside them (AEM's div.text, whatever its style class): an
// article's lead may be styled apart from the rich text after it.
func withTextSiblings(nodes []*html.Node) []*html.Node {
	in := map[*html.Node]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	var out []*html.Node
	done := map[*html.Node]bool{}
	for _, n := range nodes {
		p := n.Parent
		if p == nil || done[p] {
			continue
		}
		done[p] = true
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if in[c] || isTextComponent(c) {
				out = append(out, c)
			}
		}
	}
	return outermost(out)
}

// isTextComponent reports an AEM text component: a div of class "text".
func isTextComponent(n *html.Node) bool {
	if !isElement(n) || n.Data != "div" {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if c == "text" {
					return true
				}
			}
		}
	}
	return false
}

// outermost leaves out the nodes inside another of nodes (in document
// order), so that no text is read twice.
func outermost(nodes []*html.Node) []*html.Node {
	var out []*html.Node
	for _, n := range nodes {
		if len(out) == 0 || !contains(out[len(out)-1], n) {
			out = append(out, n)
		}
	}
	return out
}

// contains reports whether n is below a.
func contains(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// isElement reports an element node (nil: false).
func isElement(n *html.Node) bool { return n != nil && n.Type == html.ElementNode }

// withSiblings returns the paragraphs of the best container and of its
// siblings that read as text too: articles are often split into several
// text blocks (a lead, text, an image, more text).
func withSiblings(best *html.Node) []string {
	// Climb wrappers that hold nothing but the container.
	for p := best.Parent; isElement(p) && elementChildren(p) == 1 && !isTextBlock(p); p = best.Parent {
		best = p
	}
	parent := best.Parent
	if !isElement(parent) {
		return nil
	}
	var out []string
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		ps := paragraphNodes([]*html.Node{c})
		if c == best {
			out = append(out, ps...)
			continue
		}
		// The text is the paragraphs joined by spaces.
		n := joinedLen(ps)
		if n < 60 || !anyContainsAny(ps, ".!?") {
			continue
		}
		if links := len(clean(string(appendLinkText(nil, c)))); float64(links) < 0.3*float64(n) {
			out = append(out, ps...)
		}
	}
	return out
}

// isTextBlock is "body, main, article".
func isTextBlock(n *html.Node) bool {
	return n.Data == "body" || n.Data == "main" || n.Data == "article"
}

func elementChildren(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		}
	}
	return k
}

func anyContainsAny(ps []string, chars string) bool {
	for _, p := range ps {
		if strings.ContainsAny(p, chars) {
			return true
		}
	}
	return false
}

func textLen(ps []string) int {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	return n
}

// bestContainer scores every element by the text of the paragraphs (paras:
// every p, pre, blockquote and li of the page, in document order) directly
// inside it, less what is link text, and returns the best; of equal scores
// the first scored.
func bestContainer(paras []*html.Node) *html.Node {
	scores := map[*html.Node]float64{}
	var order []*html.Node // the keys of scores, as first scored
	add := func(n *html.Node, v float64) {
		if _, ok := scores[n]; !ok {
			order = append(order, n)
		}
		scores[n] += v
	}
	for _, p := range paras {
		txt := clean(nodeText(p))
		n := len(txt)
		if n < 25 {
			continue
		}
		marks := strings.Count(txt, ",") + strings.Count(txt, ".")
		links := len(clean(string(appendLinkText(nil, p))))
		score := float64(n-links) / 100
		if marks > 1 {
			score++
		}
		parent := p.Parent
		if !isElement(parent) {
			continue
		}
		add(parent, score)
		if gp := parent.Parent; isElement(gp) {
			add(gp, score/2)
		}
	}
	var best *html.Node
	for _, n := range order {
		if best == nil || scores[n] > scores[best] {
			best = n
		}
	}
	return best
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
	var out []string
	walkParagraphs(nodes, func(p string) bool {
		out = append(out, p)
		return true
	})
	return out
}

// walkParagraphs gives emit the paragraphs of the nodes one by one, as
// paragraphNodes lists them, until emit returns false.
func walkParagraphs(nodes []*html.Node, emit func(string) bool) {
	w := paraWalker{emit: emit}
	for _, n := range nodes {
		if !w.walk(n) {
			return
		}
	}
	w.flush()
}

type paraWalker struct {
	emit func(string) bool
	cur  strings.Builder // the paragraph so far
	brs  int
}

// flush ends the paragraph; false when emit wants no more.
func (w *paraWalker) flush() bool {
	c := clean(w.cur.String())
	w.cur.Reset()
	if c != "" && !isBoilerplate(c) {
		return w.emit(c)
	}
	return true
}

// walk reads n; false when emit wants no more.
func (w *paraWalker) walk(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		if strings.TrimSpace(n.Data) != "" {
			w.brs = 0
		}
		w.cur.WriteString(n.Data)
		return true
	case html.ElementNode:
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !w.walk(c) {
				return false
			}
		}
		return true
	default:
		return true
	}
	if n.Data == "br" {
		w.brs++
		if w.brs >= 2 && !w.flush() {
			return false
		}
		w.cur.WriteByte(' ')
		return true
	}
	if (n.Data == "b" || n.Data == "strong") && strings.TrimSpace(w.cur.String()) == "" {
		if label := strings.TrimSuffix(clean(nodeText(n)), ":"); isTurnLabelText(label) {
			if !w.flush() {
				return false
			}
			return w.emit(label + ":")
		}
	}
	block := blockTags[n.Data]
	if block && !w.flush() {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !w.walk(c) {
			return false
		}
	}
	if block && !w.flush() {
		return false
	}
	return true
}

// isTurnLabelText reports whether a bold element that starts a paragraph
// names a speaker ("NATO Secretary General Mark Rutte", "Question
// (Reuters)"): t is its clean text without a final colon.
func isTurnLabelText(t string) bool {
	if t == "" || len(t) > 100 {
		return false
	}
	return isSpeakerLabel(t) || questionLabel().MatchString(t)
}

var questionLabel = lazyRegexp(`(?i)^(question|q|moderator|answer)\b`)

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

// isBoilerplate reports page furniture. It is short: a long paragraph is
// text, and is not matched at all.
func isBoilerplate(p string) bool {
	return len(p) <= maxBoilerplate && boilerplate().MatchString(p)
}

const maxBoilerplate = 200

// boilerplate matches paragraphs that are page furniture, not text.
var boilerplate = lazyRegexp(`(?i)^(share( this)?( page| article)?:?|print( this page)?|e-?mail|back to top|read more|related( content| news| articles)?|top|follow us.*|©.*|copyright.*|tags?:.*|see also:?|download.*\(pdf.*\)|\(as delivered\)|\(as prepared(?: for delivery)?\)|last updated:?.*|updated:?\s.{0,60}|(?:.{0,40}\W)?\d+ min(?:ute)?s? read)$`)
