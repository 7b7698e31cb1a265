package scraper

import (
	"bytes"
	"testing"

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
