package scraper

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The selector groups extraction runs over every element of a page, as
// plain predicates: a group of n selectors costs n tests per element in
// cascadia; these cost one look at the tag and the attributes. Each matches
// exactly what its CSS (kept beside it, and checked against cascadia by
// TestMatchersAgreeWithCSS) matches.

// noiseMatcher is noiseTags.
var noiseMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.Data {
	case "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "input", "nav", "footer", "aside":
		return true
	case "figcaption":
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "figure" {
				return true
			}
		}
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "role":
			if a.Val == "navigation" || a.Val == "banner" || a.Val == "contentinfo" {
				return true
			}
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "hidden":
			return true
		}
	}
	return false
})

// namedMatcher is "[class], [id]".
var namedMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "id" {
			return true
		}
	}
	return false
})

// dateLinesCSS is what dateLinesMatcher matches.
const dateLinesCSS = ".date, .fs-small, .event-date, .cmp-date, p, span, div.date"

var dateLinesMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if n.Data == "p" || n.Data == "span" {
		return true
	}
	return hasClass(n, func(c string) bool { return c == "date" || c == "fs-small" || c == "event-date" || c == "cmp-date" })
})

// timesCSS is what timesMatcher matches: the third selector holds the
// first two.
const timesCSS = "main time[datetime], article time[datetime], time[datetime]"

var timesMatcher = cascadia.Selector(func(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Data == "time" && hasAttr(n, "datetime")
})

// articleBodyCSS is what articleBodyMatcher matches (one of knownBodies).
const articleBodyCSS = ".article-content, .article__content, .article-body, [itemprop=articleBody], .story-body, .post-content, .entry-content"

var articleBodyMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "itemprop" && a.Val == "articleBody" {
			return true
		}
	}
	return hasClass(n, func(c string) bool {
		switch c {
		case "article-content", "article__content", "article-body", "story-body", "post-content", "entry-content":
			return true
		}
		return false
	})
})

// paragraphsCSS is what paragraphsMatcher matches.
const paragraphsCSS = "p, pre, blockquote, li"

var paragraphsMatcher = cascadia.Selector(func(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.Data == "p" || n.Data == "pre" || n.Data == "blockquote" || n.Data == "li")
})

// tagMatcher matches elements named tag, as the CSS selector tag does.
func tagMatcher(tag string) cascadia.Selector {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// hasClass reports whether a class attribute of n lists a class (split as
// cascadia splits it) that ok accepts.
func hasClass(n *html.Node, ok func(string) bool) bool {
	for _, a := range n.Attr {
		if a.Key != "class" {
			continue
		}
		for s := a.Val; s != ""; {
			i := strings.IndexAny(s, " \t\r\n\f")
			if i == -1 {
				if ok(s) {
					return true
				}
				break
			}
			if ok(s[:i]) {
				return true
			}
			s = s[i+1:]
		}
	}
	return false
}

// findAll is doc.FindMatcher(m).Nodes for each of ms, in one walk of the
// document instead of one per matcher: each list in document order.
func findAll(doc *goquery.Document, ms ...cascadia.Selector) [][]*html.Node {
	out := make([][]*html.Node, len(ms))
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for i, m := range ms {
			if m(n) {
				out[i] = append(out[i], n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	// As goquery's Find: the descendants of the document's element
	// children.
	for _, root := range doc.Nodes {
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				walk(c)
			}
		}
	}
	return out
}
