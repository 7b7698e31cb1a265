package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/scraper"
)

// BenchmarkPipeline is target 1: one check that finds the 1,000 corpus
// pages new and fetches (from memory), extracts, summarises, matches and
// stores each. ns/op is the whole check; the metrics are per release.
func BenchmarkPipeline(b *testing.B) {
	c := benchCorpus(b)
	var last PipelineResult
	for i := 0; b.Loop(); i++ {
		r, err := RunPipeline(context.Background(), c, filepath.Join(b.TempDir(), fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		last = r
	}
	b.ReportMetric(float64(last.PerRelease().Nanoseconds()), "cpu-ns/release")
	b.ReportMetric(last.Rate(), "releases/cpu-s")
	b.ReportMetric(last.Ratio(), "x-parse")
	b.ReportMetric(float64(last.Allocs)/float64(last.Releases), "allocs/release")
}

// BenchmarkIdleCheck is target 2 without sockets: a check of a feed whose
// 20 recent releases are all unchanged, every request answered 304 from
// memory. The bench command measures the same over HTTP, with the site in
// another process.
func BenchmarkIdleCheck(b *testing.B) {
	c := benchCorpus(b)
	ctx := context.Background()
	recent := &Corpus{Pages: c.Pages[:20], Feed: Feed(c.Pages[:20])}
	site := NewMemSite(recent)
	cfg, store, err := openConfig(ctx, idleConfig(filepath.Join(b.TempDir(), "idle.db"), FeedURL), 20)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	f := newMemFetcher(site)
	a, err := newApp(cfg, app.Options{Store: store, Fetcher: f})
	if err != nil {
		b.Fatal(err)
	}
	src := scraper.NewSource(app.SourceConfig(cfg.Sources[0]), f)
	for range 2 {
		if _, err := a.Check(ctx, src); err != nil {
			b.Fatal(err)
		}
	}
	n0 := site.NotModified.Load()
	b.ReportAllocs()
	for b.Loop() {
		cr, err := a.Check(ctx, src)
		if err != nil || cr.New+cr.Updated > 0 {
			b.Fatal(cr, err)
		}
	}
	b.ReportMetric(float64(site.NotModified.Load()-n0)/float64(b.N), "304s/op")
}
