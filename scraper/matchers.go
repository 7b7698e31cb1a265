package scraper

import (
	"strings"

	"golang.org/x/net/html"
)

// The selectors extraction reads a page with, as CSS: scanPage (one walk
// of the page) finds what each matches, as goquery and cascadia would
// (TestScanAgreesWithCSS checks it). The tests it runs on each element are
// here.

// titlesCSS are where a page's title is, best first: pageTitle takes the
// first h1 of each.
var titlesCSS = []string{"main h1", "article h1", "h1.fs-huge", "h1"}

// dateMetasCSS are the metas that date a page, best first.
var dateMetasCSS = []string{`meta[property="article:published_time"]`, `meta[name="date"]`, `meta[name="dcterms.date"]`, `meta[itemprop="datePublished"]`}

// noiseTags never hold article text.
const noiseTags = "script, style, noscript, template, svg, iframe, form, button, select, input, nav, footer, aside, figure figcaption, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]"

// dateLinesCSS are the elements that may hold a date line.
const dateLinesCSS = ".date, .fs-small, .event-date, .cmp-date, p, span, div.date"

// timesCSS are the times that may date a page: the third selector holds
// the first two.
const timesCSS = "main time[datetime], article time[datetime], time[datetime]"

// knownBodiesCSS are where the known sites keep their text, best first:
// nato.int's /cps/ pages (two generations), Public, the new site's text
// components, then the usual article containers.
var knownBodiesCSS = []string{
	"section.content.cf",
	`div[style*="text-align: justify"]`,
	`div[style*="text-align:justify"]`,
	articleBodyCSS,
	"main article",
	"article",
}

// articleBodyCSS is one of knownBodiesCSS.
const articleBodyCSS = ".article-content, .article__content, .article-body, [itemprop=articleBody], .story-body, .post-content, .entry-content"

// paragraphsCSS are the paragraphs bestContainer scores.
const paragraphsCSS = "p, pre, blockquote, li"

// Attribute flags: what an element's attributes say, read in one look.
const (
	aCanonical     = 1 << iota // rel="canonical"
	aOGTitle                   // property="og:title"
	aPublished                 // property="article:published_time"
	aDate                      // name="date"
	aDCDate                    // name="dcterms.date"
	aDatePublished             // itemprop="datePublished"
	aArticleBody               // itemprop="articleBody", or a class of articleBodyCSS
	aJustified                 // style*="text-align: justify"
	aJustified2                // style*="text-align:justify"
	aNoise                     // role navigation, banner or contentinfo; aria-hidden="true"; hidden
	aDateClass                 // class date, fs-small, event-date or cmp-date
	aFsHuge                    // class fs-huge
	aContent                   // class content
	aCf                        // class cf
)

// dateMetaFlags are dateMetasCSS' attributes, in order.
var dateMetaFlags = [4]uint32{aPublished, aDate, aDCDate, aDatePublished}

// attrFlags reads n's attributes: the flags, and the first class and id
// (goquery's Attr). Every attribute of a name counts, as in CSS.
func attrFlags(n *html.Node) (f uint32, cls, id string) {
	hasCls, hasID := false, false
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			if !hasCls {
				cls, hasCls = a.Val, true
			}
			f |= classFlags(a.Val)
		case "id":
			if !hasID {
				id, hasID = a.Val, true
			}
		case "rel":
			if a.Val == "canonical" {
				f |= aCanonical
			}
		case "property":
			switch a.Val {
			case "og:title":
				f |= aOGTitle
			case "article:published_time":
				f |= aPublished
			}
		case "name":
			switch a.Val {
			case "date":
				f |= aDate
			case "dcterms.date":
				f |= aDCDate
			}
		case "itemprop":
			switch a.Val {
			case "datePublished":
				f |= aDatePublished
			case "articleBody":
				f |= aArticleBody
			}
		case "style":
			if strings.Contains(a.Val, "text-align: justify") {
				f |= aJustified
			}
			if strings.Contains(a.Val, "text-align:justify") {
				f |= aJustified2
			}
		case "role":
			if a.Val == "navigation" || a.Val == "banner" || a.Val == "contentinfo" {
				f |= aNoise
			}
		case "aria-hidden":
			if a.Val == "true" {
				f |= aNoise
			}
		case "hidden":
			f |= aNoise
		}
	}
	return f, cls, id
}

// classFlags are the flags of the classes of one class attribute, split as
// cascadia splits them.
func classFlags(v string) uint32 {
	var f uint32
	for v != "" {
		i := 0
		for i < len(v) && !isClassSep(v[i]) {
			i++
		}
		c := v
		if i < len(v) {
			c, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		switch c {
		case "date", "fs-small", "event-date", "cmp-date":
			f |= aDateClass
		case "article-content", "article__content", "article-body", "story-body", "post-content", "entry-content":
			f |= aArticleBody
		case "fs-huge":
			f |= aFsHuge
		case "content":
			f |= aContent
		case "cf":
			f |= aCf
		}
	}
	return f
}

// isClassSep reports the bytes cascadia splits a class list at.
func isClassSep(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
}

// isNoiseTag is noiseTags' test of the tag: the elements it names, and a
// figcaption in a figure.
func isNoiseTag(n *html.Node) bool {
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
	return false
}

// hasAttr reports whether n has an attribute named key.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
