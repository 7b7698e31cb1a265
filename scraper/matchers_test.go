package scraper

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// TestMatchersAgreeWithCSS checks the hand-written matchers against the CSS
// selectors they stand for, on every element of the fixture pages and of
// some awkward markup.
func TestMatchersAgreeWithCSS(t *testing.T) {
	pairs := []struct {
		css string
		m   cascadia.Selector
	}{
		{noiseTags, noiseMatcher},
		{"[class], [id]", namedMatcher},
		{dateLinesCSS, dateLinesMatcher},
		{timesCSS, timesMatcher},
		{articleBodyCSS, articleBodyMatcher},
		{paragraphsCSS, paragraphsMatcher},
		{"body", selBody},
		{"title", selTitleTag},
		{"h1", selH1},
		{"meta", selMeta},
		{"header", selHeader},
		{"a", selLinks},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*"))
	docs := [][]byte{[]byte(`<html><body>
		<div class="x  date	y" hidden="">a</div><div class="date-line cmp-date"></div><span class="">s</span>
		<div role="Navigation">n</div><div role="banner" aria-hidden="false">b</div><div aria-hidden="true"></div>
		<figure><div><figcaption>c</figcaption></div></figure><figcaption>free</figcaption>
		<time datetime>t</time><time>t</time><main><time datetime="2026-01-02">t</time></main>
		<div itemprop="articlebody">i</div><div itemprop="articleBody">I</div><div class="post-content
		story-body">p</div><svg><title>svg title</title></svg><math><mi>x</mi></math>
		<input type="hidden"><li>l</li><pre>p</pre><blockquote>q</blockquote><h1 class="fs-huge">h</h1>
		<div id="">e</div><div class=entry-content>e</div><header>h</header><a>a</a><meta name="date">
		</body></html>`)}
	for _, f := range files {
		docs = append(docs, readFixture(t, filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))))
	}
	for _, p := range pairs {
		css := cascadia.MustCompile(p.css)
		for i, d := range docs {
			root, err := html.Parse(bytes.NewReader(d))
			if err != nil {
				t.Fatal(err)
			}
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if css.Match(n) != p.m.Match(n) {
					t.Errorf("%q on doc %d: <%s %v>: CSS says %v", p.css, i, n.Data, n.Attr, css.Match(n))
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(root)
		}
	}
}
