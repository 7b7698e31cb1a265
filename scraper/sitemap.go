package scraper

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxSitemapChildren bounds how many children of a sitemap index are
// remembered: an index of thousands gives the first ones.
const maxSitemapChildren = 1000

// SitemapStream reads a sitemap (<urlset>) or a sitemap index
// (<sitemapindex>) entry by entry, never holding the document: nato.int's
// lists the whole site, tens of megabytes. Only the <url> entries keep
// accepts are returned; for an index, the children (at most 1,000). A
// document cut short (truncated, or over a size cap) gives what was read
// and an error.
func SitemapStream(r io.Reader, keep func(Candidate) bool) (items, children []Candidate, read int, err error) {
	d := xml.NewDecoder(r)
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root == "" {
				return nil, nil, read, errors.New("sitemap: empty document")
			}
			return items, children, read, nil
		}
		if err != nil {
			return items, children, read, fmt.Errorf("sitemap: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
			if root != "urlset" && root != "sitemapindex" {
				return nil, nil, 0, fmt.Errorf("sitemap: root element is <%s>, not <urlset> or <sitemapindex>", root)
			}
			continue
		}
		if se.Name.Local != "url" && se.Name.Local != "sitemap" {
			if err := d.Skip(); err != nil {
				return items, children, read, fmt.Errorf("sitemap: %w", err)
			}
			continue
		}
		loc, lastmod, err := entry(d)
		if err != nil {
			return items, children, read, fmt.Errorf("sitemap: %w", err)
		}
		if loc == "" {
			continue
		}
		read++
		c := Candidate{URL: loc}
		if lastmod != "" {
			if t, err := ParseDate(lastmod); err == nil {
				c.LastMod = t
			}
		}
		switch {
		case se.Name.Local == "sitemap":
			if len(children) < maxSitemapChildren {
				c.URL = Canonical(c.URL, nil)
				children = append(children, c)
			}
		case keep == nil || keep(c):
			// Canonical only for what is kept: most of a large sitemap is not.
			c.URL = Canonical(c.URL, nil)
			items = append(items, c)
		}
	}
}

// entry reads the <loc> and <lastmod> of a <url> or <sitemap> element, the
// decoder standing just after its start; token by token, as reflection
// (DecodeElement) costs a third of a sweep.
func entry(d *xml.Decoder) (loc, lastmod string, err error) {
	var field *string
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return "", "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "loc":
				field = &loc
			case "lastmod":
				field = &lastmod
			default:
				field = nil
			}
		case xml.EndElement:
			depth--
			field = nil
		case xml.CharData:
			if field != nil && depth == 2 {
				*field += string(t)
			}
		}
	}
	return strings.TrimSpace(loc), strings.TrimSpace(lastmod), nil
}

// ParseSitemap reads a whole sitemap or sitemap index held in memory. For
// an index it returns the child sitemaps in children.
func ParseSitemap(body []byte) (items []Candidate, children []Candidate, err error) {
	items, children, _, err = SitemapStream(bytes.NewReader(body), nil)
	if err != nil {
		return nil, nil, err
	}
	return items, children, nil
}
