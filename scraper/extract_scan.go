package scraper

import (
	"strings"

	"golang.org/x/net/html"
)

// pageScan is what extraction reads of a parsed page, gathered in one walk
// of its elements against the selectors of matchers.go.
type pageScan struct {
	sel       *selectors
	canonical *html.Node   // the first link[rel=canonical]
	ogTitle   *html.Node   // the first og:title meta
	title     *html.Node   // the first <title>
	h1s       []*html.Node // the first visible match of each of titlesCSS
	dateMetas []*html.Node // the first match of each of dateMetasCSS
	times     []*html.Node // timesCSS
	dateLines []*html.Node // dateLinesCSS, the first maxDateLines only
	byline    *html.Node   // the first visible bylineCSS
	// kindLines are the kindLinesCSS outside the noise before the first
	// visible h1 and up to kindLineSpan elements after it.
	kindLines []*html.Node
	order     int          // elements walked so far
	h1At      int          // order of the first visible h1, 0 before it
	bodies    []*html.Node // body

	// noise are the elements that hold no article text, those inside
	// another left out; detaching them leaves the article.
	noise []*html.Node
	// dialogs are the blocks of login and newsletter chrome found by their
	// text (isDialogText), also in noise.
	dialogs map[*html.Node]bool
	// known and paras are, outside the noise, the matches of each of
	// knownBodies and of paragraphsCSS. Read them once the noise is
	// detached, through attached: a dialog block is found after its
	// paragraphs.
	known [][]*html.Node
	paras []*html.Node

	root        *html.Node
	hiddenDepth int // … below this many hidden elements
}

// maxDateLines is how many date line candidates pageDate reads.
const maxDateLines = 201

// scanPage walks the elements below root (a document node) in document
// order.
func scanPage(root *html.Node) *pageScan {
	sel := compiled()
	s := &pageScan{
		sel: sel, root: root, h1s: make([]*html.Node, len(sel.titles)),
		dateMetas: make([]*html.Node, len(sel.dateMetas)), known: make([][]*html.Node, len(sel.known)),
	}
	s.children(root, false)
	return s
}

func (s *pageScan) children(n *html.Node, pruned bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			s.element(c, pruned)
		case html.TextNode:
			if !pruned && isDialogText(c.Data) {
				if b := dialogBlock(c.Parent); b != nil {
					if s.dialogs == nil {
						s.dialogs = map[*html.Node]bool{}
					}
					s.noise = append(s.noise, b)
					s.dialogs[b] = true
				}
			}
		}
	}
}

// first sets *slot to n when it is empty and n matches.
func first(slot **html.Node, sel interface{ Match(*html.Node) bool }, n *html.Node) {
	if *slot == nil && sel.Match(n) {
		*slot = n
	}
}

// element reads n and its subtree; pruned is set when an ancestor of n is
// noise.
func (s *pageScan) element(n *html.Node, pruned bool) {
	sel := s.sel
	hidden := sel.hidden.Match(n)
	if hidden {
		s.hiddenDepth++
		defer func() { s.hiddenDepth-- }()
	}
	first(&s.canonical, sel.canonical, n)
	first(&s.ogTitle, sel.ogTitle, n)
	first(&s.title, sel.title, n)
	for i, m := range sel.dateMetas {
		first(&s.dateMetas[i], m, n)
	}
	s.order++
	// A dialog's heading may be an h1: it is no title.
	if s.hiddenDepth == 0 && !(n.Data == "h1" && isDialogText(nodeText(n))) {
		for i, m := range sel.titles {
			first(&s.h1s[i], m, n)
		}
		if s.h1At == 0 && n.Data == "h1" {
			s.h1At = s.order
		}
		first(&s.byline, sel.byline, n)
	}
	if sel.time.Match(n) {
		s.times = append(s.times, n)
	}
	if sel.body.Match(n) {
		s.bodies = append(s.bodies, n)
	}
	if len(s.dateLines) < maxDateLines && sel.dateLine.Match(n) {
		s.dateLines = append(s.dateLines, n)
	}
	if !pruned {
		if hidden || s.isNoise(n) {
			s.noise = append(s.noise, n)
			pruned = true
		} else {
			for i, m := range sel.known {
				if m.Match(n) {
					s.known[i] = append(s.known[i], n)
				}
			}
			if sel.para.Match(n) {
				s.paras = append(s.paras, n)
			}
			if (s.h1At == 0 || s.order-s.h1At <= kindLineSpan) && len(s.kindLines) < maxKindLines && sel.kindLine.Match(n) {
				s.kindLines = append(s.kindLines, n)
			}
		}
	}
	s.children(n, pruned)
}

// isNoise reports chrome: noiseCSS, or a class or id that names chrome
// (isNoiseName) on an element that is not one of the page's text blocks.
func (s *pageScan) isNoise(n *html.Node) bool {
	if s.sel.noise.Match(n) {
		return true
	}
	switch n.Data {
	case "body", "html", "main", "article":
		return false
	}
	cls, _ := attrOf(n, "class")
	id, _ := attrOf(n, "id")
	return isNoiseName(cls) || isNoiseName(id)
}

// attached reports whether n is still in the page: detaching the noise
// took it out if it was inside.
func (s *pageScan) attached(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == s.root {
			return true
		}
	}
	return false
}

// attachedOnly is the nodes still in the page.
func (s *pageScan) attachedOnly(nodes []*html.Node) []*html.Node {
	var out []*html.Node
	for _, n := range nodes {
		if s.attached(n) {
			out = append(out, n)
		}
	}
	return out
}

// dialogPhrases are the text of the login and newsletter dialogs the new
// nato.int carries before every article (lower case). Their markup is not
// known: they may be bare divs, so they are found by their words.
var dialogPhrases = []string{
	"nato multimedia account", "broadcast-quality video content", "create an account", "verification code",
	"subscribe to our newsletter", "reset password", "password must be at least", "log in with your new password",
}

// maxDialogText is the longest text node read as dialog chrome: a
// paragraph of an article may quote the words.
const maxDialogText = 160

func isDialogText(t string) bool {
	return len(t) <= maxDialogText && strings.TrimSpace(t) != "" && MentionsDialog(t)
}

// MentionsDialog reports text with words of the dialogs in it (doctor
// warns of any that reaches a body).
func MentionsDialog(t string) bool {
	t = strings.ToLower(t)
	for _, p := range dialogPhrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// minArticlePara is the shortest paragraph (p) that a dialog block may not
// swallow: dialogs carry short lines, articles sentences.
const minArticlePara = 80

// maxDialogBlock bounds the text of a dialog block; an article's
// paragraphs are often longer than maxDialogPara, a dialog's are not.
const (
	maxDialogBlock = 3000
	maxDialogPara  = 500
	maxDialogLinks = 8
	maxDialogNodes = 2000
)

// dialogBlock is the block of dialog chrome that holds n: n's nearest
// block, widened to its ancestors while they hold no article (no h1, no
// known text component, no long text) and little text. nil when even
// n's block holds an article.
func dialogBlock(n *html.Node) *html.Node {
	for n != nil && n.Type == html.ElementNode && !blockTags[n.Data] && n.Parent != nil && n.Parent.Type == html.ElementNode {
		n = n.Parent
	}
	if !isElement(n) || isTextBlock(n) || n.Data == "html" || holdsArticle(n) {
		return nil
	}
	for p := n.Parent; isElement(p) && !isTextBlock(p) && p.Data != "html" && !holdsArticle(p); p = n.Parent {
		n = p
	}
	return n
}

// holdsArticle reports a subtree that holds what a dialog does not: an
// h1, a known text component, a long text, much text in all, a list of
// links (a hub's items), or many nodes.
func holdsArticle(n *html.Node) bool {
	sel := compiled()
	total, links, nodes := 0, 0, 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if nodes++; nodes > maxDialogNodes {
			return true
		}
		switch n.Type {
		case html.TextNode:
			l := len(strings.TrimSpace(n.Data))
			total += l
			return l > maxDialogPara || total > maxDialogBlock
		case html.ElementNode:
			if n.Data == "a" {
				links++
			}
			if n.Data == "h1" && !isDialogText(nodeText(n)) || n.Data == "main" || n.Data == "article" || links > maxDialogLinks {
				return true
			}
			if n.Data == "p" { // an article's paragraph beside the chrome
				if t := nodeText(n); len(t) >= minArticlePara && !MentionsDialog(t) {
					return true
				}
			}
			for _, k := range sel.known {
				if k.Match(n) {
					return true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(n)
}

// inDialogBlock reports whether n is inside one of the dialog blocks.
func (s *pageScan) inDialogBlock(n *html.Node) bool {
	for ; n != nil && len(s.dialogs) > 0; n = n.Parent {
		if s.dialogs[n] {
			return true
		}
	}
	return false
}
