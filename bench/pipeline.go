package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// Watches is the watch list of the pipeline benchmark: twenty watches of
// five terms, as an operator would write them; several match the corpus.
var Watches = []config.Watch{
	{Name: "ukraine", Terms: []string{"Ukraine", "Kyiv", "Zelenskyy", "Ukrainian", "NATO-Ukraine Council"}},
	{Name: "korea", Terms: []string{"North Korea", "DPRK", "Pyongyang", "Korean Peninsula", "Kim Jong Un"}},
	{Name: "airdef", Terms: []string{"air defence", "air and missile defence", "interceptors", "Patriot", "IAMD"}},
	{Name: "baltic", Terms: []string{"Baltic Sentry", "undersea infrastructure", "cables", "pipelines", "Baltic Sea"}},
	{Name: "china", Terms: []string{"China", "Chinese", "Beijing", "Indo-Pacific", "Taiwan"}},
	{Name: "russia", Terms: []string{"Russia", "Russian", "Moscow", "Kremlin", "Putin"}},
	{Name: "spending", Terms: []string{"five percent", "GDP", "defence spending", "defence investment", "Defence Investment Pledge"}},
	{Name: "cyber", Terms: []string{"cyber", "cyber-attacks", "hybrid", "disinformation", "sabotage"}},
	{Name: "nuclear", Terms: []string{"nuclear", "weapons of mass destruction", "deterrence", "arms control", "proliferation"}},
	{Name: "terror", Terms: []string{"terrorism", "counter-terrorism", "ISIS", "Daesh", "Iraq"}},
	{Name: "arctic", Terms: []string{"Arctic", "High North", "Svalbard", "Greenland", "Barents"}},
	{Name: "drones", Terms: []string{"drones", "drone", "unmanned", "UAV", "counter-drone"}},
	{Name: "summit", Terms: []string{"Summit", "Heads of State and Government", "Declaration", "communiqué", "Washington Summit"}},
	{Name: "iran", Terms: []string{"Iran", "Tehran", "Iranian", "ballistic missiles", "Houthi"}},
	{Name: "balkans", Terms: []string{"Kosovo", "KFOR", "Serbia", "Bosnia", "Western Balkans"}},
	{Name: "space", Terms: []string{"space", "satellites", "Space Centre", "orbit", "anti-satellite"}},
	{Name: "climate", Terms: []string{"climate", "climate change", "energy security", "resilience", "critical infrastructure"}},
	{Name: "partners", Terms: []string{"Japan", "Republic of Korea", "Australia", "New Zealand", "partners"}},
	{Name: "sweden", Terms: []string{"Sweden", "Finland", "Swedish", "Finnish", "accession"}},
	{Name: "sg", Terms: []string{"Mark Rutte", "Jens Stoltenberg", "Secretary General", "Allison Hart", "Oana Lungescu"}},
}

// PipelineResult is one run of the pipeline over a corpus: one natowatch
// check that finds every page new, fetches it (from memory), extracts,
// summarises, matches the watches and stores it with its alert; then the
// same stages alone, to see where the time goes.
type PipelineResult struct {
	Releases    int
	Stored      int           // releases the check stored (must equal Releases)
	CheckCPU    time.Duration // CPU of the whole check (GOMAXPROCS as set by the caller)
	CheckWall   time.Duration
	RecheckCPU  time.Duration // CPU of a second, idle check: the conditional re-fetch of every stored page (answered 304), part of CheckCPU
	ParseCPU    time.Duration // goquery parsing the same pages, nothing else
	ExtractCPU  time.Duration // scraper.Extract alone (parse included)
	SummaryCPU  time.Duration // summary.Digest: the summary and the key quotes
	MatchCPU    time.Duration // the watches' matcher
	StoreCPU    time.Duration // the store alone: two lookups and the save of each release with its alert
	Allocs      uint64        // heap allocations of the check
	AllocBytes  uint64
	NotModified int64 // 304s answered during the check (its re-check of what it just stored)
}

// PerRelease is the check's CPU per release.
func (r PipelineResult) PerRelease() time.Duration { return r.CheckCPU / time.Duration(r.Releases) }

// Rate is releases per CPU second.
func (r PipelineResult) Rate() float64 { return float64(r.Releases) / r.CheckCPU.Seconds() }

// Ratio is the check's CPU over goquery's parsing of the same pages.
func (r PipelineResult) Ratio() float64 { return r.CheckCPU.Seconds() / r.ParseCPU.Seconds() }

// pipelineConfig is the configuration of the pipeline benchmark (for
// openConfig): one feed source, the watches above, one webhook target (so
// every release queues one alert).
func pipelineConfig(dbPath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "state: %s\nsources:\n%s", dbPath, rssSource("bench", FeedURL, "@every 1h"))
	b.WriteString("targets:\n  - webhook: https://discord.com/api/webhooks/100000000000000001/benchtoken\nwatches:\n")
	for _, w := range Watches {
		fmt.Fprintf(&b, "  - name: %s\n    terms: [%s]\n", w.Name, quoteList(w.Terms))
	}
	return b.String()
}

func quoteList(ts []string) string {
	q := make([]string, len(ts))
	for i, t := range ts {
		q[i] = fmt.Sprintf("%q", t)
	}
	return strings.Join(q, ", ")
}

// RunPipeline stores the corpus through natowatch's check (app.Check with
// the real RSS source and fetcher, pages served from memory) into a fresh
// SQLite file in dir, and measures it, then measures the stages alone over
// the same pages.
func RunPipeline(ctx context.Context, c *Corpus, dir string) (PipelineResult, error) {
	res := PipelineResult{Releases: len(c.Pages)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	// A first run that fetches everything listed.
	cfg, store, err := openConfig(ctx, pipelineConfig(filepath.Join(dir, "pipeline.db")), len(c.Pages))
	if err != nil {
		return res, err
	}
	defer store.Close()
	site := NewMemSite(c)
	f := newMemFetcher(site)
	a, err := newApp(cfg, app.Options{Store: store, Fetcher: f})
	if err != nil {
		return res, err
	}
	src := scraper.NewSource(app.SourceConfig(cfg.Sources[0]), f)
	// Warm up as a running daemon is: the code and the parser's tables
	// in the caches (measured first, the check paid for that alone).
	if _, err := parseAll(c); err != nil {
		return res, err
	}

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, wall0 := CPUTime(), time.Now()
	cr, err := a.Check(ctx, src)
	res.CheckCPU, res.CheckWall = CPUTime()-cpu0, time.Since(wall0)
	runtime.ReadMemStats(&m1)
	if err != nil {
		return res, err
	}
	res.Stored = cr.New
	res.NotModified = site.NotModified.Load()
	res.Allocs, res.AllocBytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc

	// The check re-fetched (conditionally) every page it had just stored:
	// an idle check now costs the same re-check, which is part of CheckCPU.
	cpu0 = CPUTime()
	if _, err := a.Check(ctx, src); err != nil {
		return res, err
	}
	res.RecheckCPU = CPUTime() - cpu0

	st, err := MeasureStages(ctx, c, filepath.Join(dir, "stages.db"))
	if err != nil {
		return res, err
	}
	res.ParseCPU, res.ExtractCPU, res.SummaryCPU, res.MatchCPU, res.StoreCPU = st.Parse, st.Extract, st.Summary, st.Match, st.Store
	return res, nil
}

// Stages is the CPU each stage takes over a corpus, alone.
type Stages struct {
	Parse, Extract, Summary, Match, Store time.Duration
}

// MeasureStages runs each stage of the pipeline alone over the corpus:
// goquery parsing, scraper.Extract, the summary (summary.Digest), the
// watches' matcher, and the store (into a new SQLite file at dbPath).
func MeasureStages(ctx context.Context, c *Corpus, dbPath string) (Stages, error) {
	var st Stages
	var err error
	if st.Parse, err = parseAll(c); err != nil {
		return st, err
	}

	rels := make([]*release.Release, 0, len(c.Pages))
	runtime.GC()
	cpu0 := CPUTime()
	for _, p := range c.Pages {
		a, err := scraper.Extract(p.Body, p.URL, p.ContentType)
		if err != nil {
			return st, fmt.Errorf("%s: %w", p.URL, err)
		}
		a.URL = p.URL
		rels = append(rels, &a.Release)
	}
	st.Extract = CPUTime() - cpu0

	runtime.GC()
	cpu0 = CPUTime()
	for _, r := range rels {
		summary.Digest(r)
	}
	st.Summary = CPUTime() - cpu0

	m, err := summary.NewMatcher(summaryWatches(Watches))
	if err != nil {
		return st, err
	}
	alerts := make([]release.Alert, len(rels))
	runtime.GC()
	cpu0 = CPUTime()
	for i, r := range rels {
		alerts[i].Matches = m.Match(r)
	}
	st.Match = CPUTime() - cpu0

	for i, r := range rels {
		sum, q := summary.Digest(r)
		alerts[i] = release.Alert{Kind: release.KindNew, Source: "bench", URL: r.URL, Title: r.Title, Type: r.Type,
			Published: r.Published, Reference: r.Reference, Summary: sum, Quotes: q, Matches: alerts[i].Matches, Version: 1}
	}
	store, err := state.OpenSQLite(ctx, dbPath)
	if err != nil {
		return st, err
	}
	defer store.Close()
	now := time.Now()
	runtime.GC()
	cpu0 = CPUTime()
	for i, r := range rels {
		keys := []string{"url:" + strings.TrimPrefix(r.URL, "https://"), fmt.Sprintf("td:%s|%d", r.Title, i)}
		for range 2 { // as a check looks a new item up: its listing's keys, then its page's
			if _, err := store.Lookup(ctx, keys); err != nil {
				return st, err
			}
		}
		put := state.Put{Release: *r, Keys: keys, Fingerprint: fmt.Sprintf("%064x", i), Version: 1, PageURL: r.URL,
			Validators: release.Validators{ETag: fmt.Sprintf(`"%x"`, i)}, Alert: &alerts[i],
			Recipients: []state.Recipient{{Target: release.Target{Kind: release.TargetWebhook, ID: "bench"}, Matches: alerts[i].Matches}}}
		if _, err := store.Save(ctx, put, now); err != nil {
			return st, err
		}
	}
	st.Store = CPUTime() - cpu0
	return st, nil
}

// parseAll is goquery parsing every HTML page of the corpus, and the CPU
// it took.
func parseAll(c *Corpus) (time.Duration, error) {
	runtime.GC()
	cpu0 := CPUTime()
	for _, p := range c.Pages {
		if strings.HasPrefix(p.ContentType, "text/plain") {
			continue
		}
		if _, err := goquery.NewDocumentFromReader(bytes.NewReader(p.Body)); err != nil {
			return 0, err
		}
	}
	return CPUTime() - cpu0, nil
}

func summaryWatches(ws []config.Watch) []summary.Watch {
	out := make([]summary.Watch, len(ws))
	for i, w := range ws {
		out[i] = summary.Watch{Name: w.Name, Terms: w.Terms, Exclude: w.Exclude, Role: w.MentionRole}
	}
	return out
}
