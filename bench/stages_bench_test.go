package bench

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/summary"
)

// The stage benchmarks run one stage of the pipeline over the generated
// corpus (1,000 pages): ns/op is per page or per release.

var (
	corpusOnce sync.Once
	corpus     *Corpus
	corpusErr  error
	releases   []*release.Release
)

func benchCorpus(b *testing.B) *Corpus {
	b.Helper()
	corpusOnce.Do(func() {
		corpus, corpusErr = NewCorpus(1000)
		if corpusErr != nil {
			return
		}
		for _, p := range corpus.Pages {
			a, err := scraper.Extract(p.Body, p.URL, p.ContentType)
			if err != nil {
				corpusErr = err
				return
			}
			a.URL = p.URL
			releases = append(releases, &a.Release)
		}
	})
	if corpusErr != nil {
		b.Fatal(corpusErr)
	}
	return corpus
}

// BenchmarkParse is goquery parsing a page and nothing else: the yardstick
// of the pipeline's cost.
func BenchmarkParse(b *testing.B) {
	c := benchCorpus(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := c.Pages[i%len(c.Pages)]
		i++
		if strings.HasPrefix(p.ContentType, "text/plain") {
			continue
		}
		if _, err := goquery.NewDocumentFromReader(bytes.NewReader(p.Body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtract is scraper.Extract (parse included) on a page.
func BenchmarkExtract(b *testing.B) {
	c := benchCorpus(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := c.Pages[i%len(c.Pages)]
		i++
		if _, err := scraper.Extract(p.Body, p.URL, p.ContentType); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummary is what an alert needs of the summariser: the summary
// and the key quotes of a release (summary.Digest).
func BenchmarkSummary(b *testing.B) {
	benchCorpus(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := releases[i%len(releases)]
		i++
		summary.Digest(r)
	}
}

// BenchmarkMatch is the pipeline's watches (20 watches, 100 terms) matched
// against a release.
func BenchmarkMatch(b *testing.B) {
	benchCorpus(b)
	m, err := summary.NewMatcher(summaryWatches(Watches))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Match(releases[i%len(releases)])
		i++
	}
}
