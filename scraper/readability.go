package scraper

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// isNoiseName reports a class or id of page chrome: one of its words (the
// name lower-cased, split at "-", "_" and spaces) is a noise word, or two
// in a row are a noise pair.
func isNoiseName(s string) bool {
	if s == "" {
		return false
	}
	var l string
	var buf [128]byte
	if len(s) <= len(buf) && isASCII(s) {
		// strings.ToLower without the copy on the heap.
		b := buf[:len(s)]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		l = unsafe.String(&b[0], len(b))
	} else {
		l = strings.ToLower(s)
	}
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
		if isNoiseWord(w) || (prev != "" && isNoisePair(prev, w)) {
			return true
		}
		prev, start = w, -1
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isNoiseWord reports the class and id words of page chrome.
func isNoiseWord(w string) bool {
	switch w {
	case "share", "sharing", "social", "related", "breadcrumb", "breadcrumbs", "cookie", "cookies", "consent",
		"newsletter", "subscribe", "signup", "footer", "navbar", "nav", "menu", "sidebar", "promo", "banner", "skip",
		"tags", "pagination", "pager", "print", "toolbar", "disclaimer", "carousel", "modal", "popup", "search",
		"tools", "caption", "credit", "credits", "gallery", "video", "audio", "download", "downloads", "langswitch",
		"languageselector":
		return true
	}
	return false
}

// isNoisePair reports two-word names of chrome ("site-header",
// "read-more").
func isNoisePair(a, b string) bool {
	switch a {
	case "site":
		return b == "header"
	case "read":
		return b == "more"
	case "more":
		return b == "from"
	case "image":
		return b == "box"
	case "cmp":
		return b == "image"
	case "sign":
		return b == "up"
	case "lang":
		return b == "switch"
	case "language":
		return b == "switch" || b == "selector"
	}
	return false
}

// removeNoise removes the page's chrome: what noiseTags matches, headers
// (site headers go; an article's own header keeps nothing of the body
// either), and elements named as noise (isNoiseName), body, html, main and
// article aside.
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
	for _, nodes := range s.known {
		var best []string
		bestLen := 0
		for _, n := range nodes {
			if p := paragraphNodes([]*html.Node{n}); textLen(p) > bestLen {
				best, bestLen = p, textLen(p)
			}
		}
		if bestLen >= minBodyChars {
			return best
		}
	}
	if best := bestContainer(s.paras); best != nil {
		return withSiblings(best)
	}
	return nil
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
	var buf []byte
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
		buf = cleanInPlace(appendLinkText(buf[:0], c))
		if links := len(buf); float64(links) < 0.3*float64(n) {
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
	var buf []byte
	for _, p := range paras {
		txt := cleanInPlace(appendText(buf[:0], p))
		n := len(txt)
		if n < 25 {
			continue
		}
		marks := bytes.Count(txt, []byte(",")) + bytes.Count(txt, []byte("."))
		buf = cleanInPlace(appendLinkText(txt[:0], p))
		links := len(buf)
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
	cur  []byte // the paragraph so far; its storage is reused
	brs  int
	buf  []byte // scratch
}

// flush ends the paragraph; false when emit wants no more.
func (w *paraWalker) flush() bool {
	c := cleanInPlace(w.cur)
	w.cur = w.cur[:0]
	// (The boilerplate test reads a view of the text: the string is made
	// for a paragraph that stays.)
	if len(c) > 0 && !isBoilerplateLine(unsafe.String(unsafe.SliceData(c), len(c))) {
		return w.emit(string(c))
	}
	return true
}

// walk reads n; false when emit wants no more.
func (w *paraWalker) walk(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		if !isBlank(n.Data) {
			w.brs = 0
		}
		w.cur = append(w.cur, n.Data...)
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
		w.cur = append(w.cur, ' ')
		return true
	}
	if (n.Data == "b" || n.Data == "strong") && len(bytes.TrimSpace(w.cur)) == 0 {
		w.buf = cleanInPlace(appendText(w.buf[:0], n))
		// A view of w.buf, used before w.buf changes.
		if label := strings.TrimSuffix(unsafe.String(unsafe.SliceData(w.buf), len(w.buf)), ":"); isTurnLabelText(label) {
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

// isBlank is strings.TrimSpace(s) == "".
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			continue
		}
		if s[i] < utf8.RuneSelf {
			return false
		}
		return strings.TrimSpace(s[i:]) == ""
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
	return isSpeakerLabel(t) || foldPrefixed(t, questionStarts) && questionLabel.MatchString(t)
}

var questionLabel = regexp.MustCompile(`(?i)^(question|q|moderator|answer)\b`)

// questionStarts are how questionLabel's matches start (foldPrefixed).
var questionStarts = newPrefixes("q", "moderator", "answer")

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

// isBoilerplateLine is boilerplate.MatchString(t): most lines start with
// none of its alternatives' words.
func isBoilerplateLine(t string) bool {
	return foldPrefixed(t, boilerplateStarts) && boilerplate.MatchString(t)
}

// boilerplateStarts are how the alternatives of boilerplate begin (the
// first literal of each, in lower case), © aside: a non-ASCII start goes to
// the expression anyway (foldPrefixed).
var boilerplateStarts = newPrefixes("share", "print", "e-mail", "email", "back to top", "read more", "related", "top",
	"follow us", "copyright", "tag", "see also", "download", "(as delivered)", "last updated")

// boilerplate matches paragraphs that are page furniture, not text.
var boilerplate = regexp.MustCompile(`(?i)^(share( this)?( page| article)?:?|print( this page)?|e-?mail|back to top|read more|related( content| news| articles)?|top|follow us.*|©.*|copyright.*|tags?:.*|see also:?|download.*\(pdf.*\)|\(as delivered\)|last updated:?.*)$`)
