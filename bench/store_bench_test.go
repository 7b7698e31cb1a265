package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// BenchmarkStore is the store's part of the pipeline for one release: the
// two identity lookups a new release gets, and the transaction that saves
// it with its keys, page validators, full-text index entry and one alert.
func BenchmarkStore(b *testing.B) {
	benchCorpus(b)
	ctx := context.Background()
	st, err := state.OpenSQLite(ctx, filepath.Join(b.TempDir(), "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m, err := summary.NewMatcher(summaryWatches(Watches))
	if err != nil {
		b.Fatal(err)
	}
	alerts := make([]release.Alert, len(releases))
	for i, r := range releases {
		sum, q := summary.Digest(r)
		alerts[i] = release.Alert{Kind: release.KindNew, Source: "bench", URL: r.URL, Title: r.Title, Type: r.Type,
			Published: r.Published, Reference: r.Reference, Summary: sum, Quotes: q, Matches: m.Match(r), Version: 1}
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(releases)
		r := *releases[k]
		r.URL = fmt.Sprintf("%s?n=%d", r.URL, i)
		i++
		keys := []string{"url:" + r.URL, "td:" + fmt.Sprint(i)}
		if _, err := st.Lookup(ctx, keys); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Lookup(ctx, keys); err != nil {
			b.Fatal(err)
		}
		a := alerts[k]
		a.URL = r.URL
		put := state.Put{Release: r, Keys: keys, Fingerprint: "f", Version: 1, PageURL: r.URL,
			Validators: release.Validators{ETag: `"abc"`}, Alert: &a,
			Recipients: []state.Recipient{{Target: release.Target{Kind: release.TargetWebhook, ID: "x"}, Matches: a.Matches}}}
		if _, err := st.Save(ctx, put, now); err != nil {
			b.Fatal(err)
		}
	}
}
