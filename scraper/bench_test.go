package scraper

import (
	"bytes"
	"runtime"
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
