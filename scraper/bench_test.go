package scraper

import "testing"

func BenchmarkExtract(b *testing.B) {
	for _, f := range pageFixtures {
		body := readFixture(b, f.file)
		b.Run(f.file, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Extract(body, f.url, f.contentType); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
