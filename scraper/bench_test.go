package scraper

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func BenchmarkExtract(b *testing.B) {
	for _, f := range pageFixtures {
		body := readFixture(b, f.file)
		b.Run(f.file, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Extract(body, f.url, f.contentType); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse is goquery parsing the fixtures and nothing else: the
// yardstick for BenchmarkExtract.
func BenchmarkParse(b *testing.B) {
	for _, f := range pageFixtures {
		body := readFixture(b, f.file)
		b.Run(f.file, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := goquery.NewDocumentFromReader(bytes.NewReader(body)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractVsParse times goquery's parse and Extract of each
// fixture in turn, so that a busy machine slows both alike, and reports
// Extract's time over the parse's. On Linux the times are the thread's CPU
// time, which leaves out the time other processes had the core.
func BenchmarkExtractVsParse(b *testing.B) {
	clock := threadCPU
	if !haveThreadCPU {
		start := time.Now()
		clock = func() time.Duration { return time.Since(start) }
	}
	var parse, extract time.Duration
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		for _, f := range pageFixtures {
			body := readFixture(b, f.file)
			t0 := clock()
			if _, err := goquery.NewDocumentFromReader(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
			t1 := clock()
			if _, err := Extract(body, f.url, f.contentType); err != nil {
				b.Fatal(err)
			}
			parse, extract = parse+t1-t0, extract+clock()-t1
		}
	}
	n := float64(b.N * len(pageFixtures))
	b.ReportMetric(float64(parse.Nanoseconds())/n, "parse-ns/page")
	b.ReportMetric(float64(extract.Nanoseconds())/n, "extract-ns/page")
	b.ReportMetric(float64(extract)/float64(parse), "extract/parse")
}

// BenchmarkExtractLargeShapes is Extract on shapes that cost a walk per
// element if a bound is missing: deep nests over many empty elements,
// with dialog text and without. Compare with BenchmarkParse's magnitude:
// a few times a parse is fine, seconds are not.
func BenchmarkExtractLargeShapes(b *testing.B) {
	deep := strings.Repeat("<div>", 400) + strings.Repeat("<span></span>", 100000)
	for name, body := range map[string]string{
		"deep-dialogs": deep + strings.Repeat("<p><b>Create an account</b></p>", 300),
		"deep-text":    deep + strings.Repeat("<p>Allies agreed on Wednesday to send more air defence. </p>", 300),
		"wide-bold":    strings.Repeat("<p>", 300) + strings.Repeat("<b></b>", 100000) + "<h1>x</h1>",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _ = Extract([]byte(body), "https://www.nato.int/en/x", "text/html")
			}
		})
	}
}
