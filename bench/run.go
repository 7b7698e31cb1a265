package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/natowatch/natowatch/summary"
)

// Options configure a bench run.
type Options struct {
	Runs      int    // repetitions of each measurement; medians are reported
	Natowatch string // the natowatch binary; built from the checkout when empty
	Dir       string // scratch directory; a temporary one when empty
	Quick     bool   // smaller sizes (a smoke run, not the targets' sizes)
	JSON      string // write the results there too
	Self      string // this program, to run the fake sites as a child process
}

// DefaultOptions are the options of a full run.
func DefaultOptions() Options { return Options{Runs: 5} }

// size is full, or quick in a quick run.
func (o Options) size(full, quick int) int {
	if o.Quick {
		return quick
	}
	return full
}

// subdir makes the directory name in o.Dir and returns its path.
func (o Options) subdir(name string) (string, error) {
	dir := filepath.Join(o.Dir, name)
	return dir, os.MkdirAll(dir, 0o755)
}

// Result is one measured number against its target.
type Result struct {
	Target string  `json:"target"` // the item: "1 pipeline", …
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Want   string  `json:"want,omitempty"` // the target, "" when only reported
	Pass   *bool   `json:"pass,omitempty"`
	Note   string  `json:"note,omitempty"`
}

func pass(b bool) *bool { return &b }

// Targets lists what Run knows, in order.
var Targets = []string{"pipeline", "idle", "once", "match", "fanout", "latency", "footprint"}

// Run runs the named targets ("all" for every one), prints a table to w and
// reports whether every target with a goal passed.
func Run(ctx context.Context, opt Options, targets []string, w io.Writer) (bool, error) {
	if slices.Contains(targets, "all") {
		targets = Targets
	}
	if opt.Runs < 1 {
		opt.Runs = 1
	}
	if opt.Dir == "" {
		dir, err := os.MkdirTemp("", "natowatch-bench-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		opt.Dir = dir
	}
	fmt.Fprintf(w, "natowatch-bench: %s/%s, %d CPUs (GOMAXPROCS set to 1 for the CPU measurements), Go %s, %d runs (medians)\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), opt.Runs)
	var all []Result
	ok := true
	for _, t := range targets {
		start := time.Now()
		var rs []Result
		var err error
		switch t {
		case "pipeline":
			rs, err = benchPipeline(ctx, opt)
		case "idle":
			rs, err = benchIdle(ctx, opt)
		case "once":
			rs, err = benchOnce(ctx, opt)
		case "match":
			rs, err = benchMatch(opt)
		case "fanout":
			rs, err = benchFanout(opt)
		case "latency":
			rs, err = benchLatency(opt)
		case "footprint":
			rs, err = benchFootprint(opt)
		default:
			err = fmt.Errorf("unknown target %q (know %s)", t, strings.Join(Targets, ", "))
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", t, err)
		}
		printResults(w, rs)
		fmt.Fprintf(w, "  (%s took %s)\n\n", t, time.Since(start).Round(time.Second))
		for _, r := range rs {
			if r.Pass != nil && !*r.Pass {
				ok = false
			}
		}
		all = append(all, rs...)
	}
	if opt.JSON != "" {
		b, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			return false, err
		}
		if err := os.WriteFile(opt.JSON, append(b, '\n'), 0o644); err != nil {
			return false, err
		}
	}
	return ok, nil
}

func printResults(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rs {
		verdict := ""
		if r.Pass != nil {
			verdict = "FAIL"
			if *r.Pass {
				verdict = "pass"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Target, r.Metric, formatValue(r.Value, r.Unit), r.Want, verdict, r.Note)
	}
	tw.Flush()
}

func formatValue(v float64, unit string) string {
	switch {
	case v == float64(int64(v)) && v < 1e15:
		return fmt.Sprintf("%d %s", int64(v), unit)
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	default:
		return fmt.Sprintf("%.2f %s", v, unit)
	}
}

// median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// medianOf runs f opt.Runs times and returns the median of each of the
// numbers it returns.
func medianOf(runs int, f func(i int) ([]float64, error)) ([]float64, error) {
	var cols [][]float64
	for i := range runs {
		v, err := f(i)
		if err != nil {
			return nil, err
		}
		if cols == nil {
			cols = make([][]float64, len(v))
		}
		for k := range v {
			cols[k] = append(cols[k], v[k])
		}
	}
	out := make([]float64, len(cols))
	for k := range cols {
		out[k] = median(cols[k])
	}
	return out, nil
}

// oneCore runs f with GOMAXPROCS 1: "one core of a small machine".
func oneCore[T any](f func() (T, error)) (T, error) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	return f()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// natowatchBinary returns opt.Natowatch, building it first when empty.
func natowatchBinary(opt *Options) (string, error) {
	if opt.Natowatch != "" {
		return opt.Natowatch, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(opt.Dir, "natowatch")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/natowatch")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building natowatch: %v\n%s", err, b)
	}
	opt.Natowatch = out
	return out, nil
}

func benchPipeline(ctx context.Context, opt Options) ([]Result, error) {
	c, err := NewCorpus(opt.size(1000, 200))
	if err != nil {
		return nil, err
	}
	var last PipelineResult
	med, err := medianOf(opt.Runs, func(i int) ([]float64, error) {
		r, err := oneCore(func() (PipelineResult, error) {
			return RunPipeline(ctx, c, filepath.Join(opt.Dir, fmt.Sprintf("pipeline-%d", i)))
		})
		if err != nil {
			return nil, err
		}
		if r.Stored != r.Releases {
			return nil, fmt.Errorf("stored %d of %d releases", r.Stored, r.Releases)
		}
		last = r
		return []float64{r.Rate(), r.Ratio(), ms(r.PerRelease()), ms(r.ParseCPU) / float64(r.Releases),
			float64(r.Allocs) / float64(r.Releases), float64(r.AllocBytes) / float64(r.Releases) / 1024,
			ms(r.ExtractCPU) / float64(r.Releases), ms(r.SummaryCPU) / float64(r.Releases), ms(r.MatchCPU) / float64(r.Releases),
			ms(r.RecheckCPU) / float64(r.Releases), ms(r.StoreCPU) / float64(r.Releases),
			float64(r.Releases) / (r.ExtractCPU + r.SummaryCPU + r.MatchCPU + r.StoreCPU).Seconds(),
			(r.ExtractCPU + r.SummaryCPU + r.MatchCPU + r.StoreCPU).Seconds() / r.ParseCPU.Seconds()}, nil
	})
	if err != nil {
		return nil, err
	}
	const t = "1 pipeline"
	note := fmt.Sprintf("%d pages, corpus %s…", last.Releases, c.Hash[:12])
	// The ratio by layout: the pages of each differ in weight (markup
	// around the same kind of text), the per-release costs do not.
	var byForm []Result
	for _, form := range []string{"new", "legacy", "public"} {
		sub := c.Only(form)
		med, err := medianOf(opt.Runs, func(i int) ([]float64, error) {
			r, err := oneCore(func() (PipelineResult, error) {
				return RunPipeline(ctx, sub, filepath.Join(opt.Dir, fmt.Sprintf("pipeline-%s-%d", form, i)))
			})
			return []float64{r.Ratio()}, err
		})
		if err != nil {
			return nil, err
		}
		byForm = append(byForm, Result{Target: t, Metric: fmt.Sprintf("  ratio, %s pages only", form), Value: med[0], Unit: "x",
			Note: fmt.Sprintf("%d pages of %.1f KB on average", len(sub.Pages), sub.MeanKB())})
	}
	return append([]Result{
		{Target: t, Metric: "releases per CPU second", Value: med[0], Unit: "/s", Want: ">= 500/s", Pass: pass(med[0] >= 500), Note: note},
		{Target: t, Metric: "pipeline CPU / goquery parse CPU", Value: med[1], Unit: "x",
			Note: "ratio from each run; reported, no longer a target (issue 14: a speed no user sees)"},
		{Target: t, Metric: "CPU per release", Value: med[2], Unit: "ms"},
		{Target: t, Metric: "  goquery parse alone", Value: med[3], Unit: "ms"},
		{Target: t, Metric: "  scraper.Extract alone (parse included)", Value: med[6], Unit: "ms"},
		{Target: t, Metric: "  summary.Digest alone", Value: med[7], Unit: "ms"},
		{Target: t, Metric: "  watches (20, 100 terms) alone", Value: med[8], Unit: "ms"},
		{Target: t, Metric: "  store alone (2 lookups, save with FTS and alert)", Value: med[10], Unit: "ms"},
		{Target: t, Metric: "  re-check of the stored pages (304)", Value: med[9], Unit: "ms"},
		{Target: t, Metric: "releases per CPU second, the stages alone (sum)", Value: med[11], Unit: "/s",
			Note: "extract + digest + match + store, each run alone over the corpus"},
		{Target: t, Metric: "the stages alone (sum) / goquery parse CPU", Value: med[12], Unit: "x",
			Note: "the floor of the ratio: the check's own work (listing, fetch, lookups, GC) comes on top"},
		{Target: t, Metric: "allocations per release", Value: med[4], Unit: ""},
		{Target: t, Metric: "bytes allocated per release", Value: med[5], Unit: "KiB"},
	}, byForm...), nil
}

func benchIdle(ctx context.Context, opt Options) ([]Result, error) {
	checks := opt.size(1000, 200)
	type scenario struct {
		recent int
		step   time.Duration // 0: every page due on every check
	}
	scenarios := []scenario{{20, 5 * time.Minute}, {100, 5 * time.Minute}, {0, 0}, {5, 0}, {20, 0}, {50, 0}}
	sites, err := StartFakeSites(opt.Self, len(scenarios)*opt.Runs)
	if err != nil {
		return nil, err
	}
	defer sites.Close()
	const t = "2 idle check"
	var out []Result
	for k, sc := range scenarios {
		var last IdleResult
		med, err := medianOf(opt.Runs, func(i int) ([]float64, error) {
			r, err := oneCore(func() (IdleResult, error) {
				return RunIdle(ctx, sites, k*opt.Runs+i, opt.Dir, sc.recent, checks, sc.step)
			})
			if err != nil {
				return nil, err
			}
			last = r
			return []float64{float64(r.CPUPerCheck) / 1e6, r.GETsPerCheck, r.Status304, float64(r.Writes), float64(r.AllocsPerCheck), float64(r.HealthWrites)}, nil
		})
		if err != nil {
			return nil, err
		}
		note := fmt.Sprintf("%d checks; %.2f GETs/check, %.2f answered 304; %d writes (+%d of the health record); %.0f allocs/check",
			last.Checks, med[1], med[2], int64(med[3]), int64(med[5]), med[4])
		if sc.step > 0 {
			out = append(out,
				Result{Target: t, Metric: fmt.Sprintf("CPU per idle check, every %s, %d releases of the last days", sc.step, sc.recent), Value: med[0], Unit: "ms",
					Want: "< 1 ms", Pass: pass(med[0] < 1), Note: fmt.Sprintf("simulated clock: a week of publishing, then %s of idle checks; %s", time.Duration(checks)*sc.step, note)},
				Result{Target: t, Metric: "  GETs per check, every one answered 304", Value: med[1], Unit: "GETs",
					Want: "all 304, 0 writes", Pass: pass(med[2] == med[1] && med[3] == 0)},
			)
			continue
		}
		out = append(out,
			Result{Target: t, Metric: fmt.Sprintf("CPU per check, every page due, %d recent releases", sc.recent), Value: med[0], Unit: "ms", Note: note},
			Result{Target: t, Metric: fmt.Sprintf("  one conditional GET per URL, each 304 (%d recent)", sc.recent), Value: med[1], Unit: "GETs",
				Want: fmt.Sprintf("%d, all 304, 0 writes", sc.recent+1), Pass: pass(med[1] == float64(sc.recent+1) && med[2] == med[1] && med[3] == 0)},
		)
	}
	return out, nil
}

func procMedians(ps []Proc) (cpu, rss, wall float64) {
	var c, r, w []float64
	for _, p := range ps {
		c = append(c, ms(p.CPU))
		r = append(r, float64(p.MaxRSS)/(1<<20))
		w = append(w, ms(p.Wall))
	}
	return median(c), median(r), median(w)
}

func benchOnce(ctx context.Context, opt Options) ([]Result, error) {
	if _, err := exec.LookPath("urlwatch"); err != nil {
		return nil, fmt.Errorf("urlwatch is not installed (apt-get install urlwatch): %w", err)
	}
	release, plain, err := buildNatowatch(opt.Dir)
	if err != nil {
		return nil, err
	}
	if opt.Natowatch != "" {
		release = opt.Natowatch
	}
	sites, err := StartFakeSites(opt.Self, 3)
	if err != nil {
		return nil, err
	}
	defer sites.Close()
	const recent = 20
	ws, err := PublishRecent(sites, 0, recent)
	if err != nil {
		return nil, err
	}
	runs := max(opt.Runs, 5)
	var out []Result
	const t2 = "2 once vs urlwatch"
	for _, b := range []struct{ name, path string }{{"release build", release}, {"plain go build", plain}} {
		dir, err := opt.subdir("once-" + strings.ReplaceAll(b.name, " ", "-"))
		if err != nil {
			return nil, err
		}
		nw, uw, nwGETs, uwGETs, nw304, uw304, err := OnceVsURLWatch(b.path, dir, sites, ws, runs)
		if err != nil {
			return nil, err
		}
		nc, nr, nwall := procMedians(nw)
		uc, ur, uwall := procMedians(uw)
		note := fmt.Sprintf("%s; %d runs each; GETs per run: natowatch %.0f (%.0f x 304), urlwatch %.0f (%.0f x 304)", b.name, runs, nwGETs, nw304, uwGETs, uw304)
		out = append(out,
			Result{Target: t2, Metric: "natowatch once, CPU", Value: nc, Unit: "ms", Note: note},
			Result{Target: t2, Metric: "urlwatch, CPU", Value: uc, Unit: "ms", Note: fmt.Sprintf("wall: natowatch %.0f ms, urlwatch %.0f ms", nwall, uwall)},
			Result{Target: t2, Metric: "  CPU natowatch / urlwatch", Value: nc / uc, Unit: "", Want: "< 0.1", Pass: pass(nc/uc < 0.1)},
			Result{Target: t2, Metric: "natowatch once, peak RSS", Value: nr, Unit: "MiB"},
			Result{Target: t2, Metric: "urlwatch, peak RSS", Value: ur, Unit: "MiB"},
			Result{Target: t2, Metric: "  peak RSS natowatch / urlwatch", Value: nr / ur, Unit: "", Want: "< 0.5", Pass: pass(nr/ur < 0.5)},
		)
	}
	// 7: the README's first-run command on a warm state, nothing changed.
	if _, err := PublishRecent(sites, 1, recent); err != nil {
		return nil, err
	}
	dir, err := opt.subdir("firstrun")
	if err != nil {
		return nil, err
	}
	once, dry, err := FirstRun(release, dir, sites, 1, runs)
	if err != nil {
		return nil, err
	}
	const t7 = "7 first run, warm"
	oc, or, ow := procMedians(once)
	dc, dr, dw := procMedians(dry)
	out = append(out,
		Result{Target: t7, Metric: "natowatch once, wall", Value: ow, Unit: "ms", Want: "< 1000 ms (well under)", Pass: pass(ow < 1000),
			Note: fmt.Sprintf("default config, nato source; CPU %.0f ms, peak RSS %.1f MiB", oc, or)},
		Result{Target: t7, Metric: "natowatch once --dry-run, wall", Value: dw, Unit: "ms", Want: "< 1000 ms (well under)", Pass: pass(dw < 1000),
			Note: fmt.Sprintf("CPU %.0f ms, peak RSS %.1f MiB", dc, dr)},
	)
	return out, nil
}

func benchMatch(opt Options) ([]Result, error) {
	r, err := BigRelease(50_000)
	if err != nil {
		return nil, err
	}
	const t = "3 watch matching"
	kb := fmt.Sprintf("%d KB release", len(r.Text())/1000)
	lists := [][]summary.Watch{TermWatches(r, 10_000, -1), TermWatches(r, 100, 100), TermWatches(r, 1_000, 100), TermWatches(r, 10_000, 100)}
	cs, err := oneCore(func() ([]MatchCost, error) {
		return MeasureMatch(r, lists, 4*opt.Runs)
	})
	if err != nil {
		return nil, err
	}
	note := fmt.Sprintf("thread CPU, lowest of %d interleaved rounds", 4*opt.Runs)
	out := []Result{
		{Target: t, Metric: "Match, 10,000 terms (words of the text and made-up ones)", Value: ms(cs[0].Match), Unit: "ms", Want: "< 5 ms", Pass: pass(cs[0].Match < 5*time.Millisecond),
			Note: fmt.Sprintf("%s; %d of 1,000 watches match; %s", kb, cs[0].Matches, note)},
		{Target: t, Metric: "  NewMatcher, 10,000 terms (once per change of the watches)", Value: ms(cs[0].Build), Unit: "ms"},
	}
	for i, c := range cs[1:] {
		res := Result{Target: t, Metric: fmt.Sprintf("Match, 100 terms of the text + %d that never match", c.Terms-100), Value: ms(c.Match), Unit: "ms",
			Note: fmt.Sprintf("build %.1f ms; %d watches match", ms(c.Build), c.Matches)}
		if i == 2 {
			res.Want = fmt.Sprintf("flat: <= 1.25 x %.2f ms (1,000 terms)", ms(cs[2].Match))
			res.Pass = pass(c.Match <= cs[2].Match*5/4)
		}
		out = append(out, res)
	}
	return out, nil
}

func benchFanout(opt Options) ([]Result, error) {
	nw, err := natowatchBinary(&opt)
	if err != nil {
		return nil, err
	}
	n := opt.size(2000, 300)
	runs := min(opt.Runs, 3) // each run takes n/49 seconds
	const t = "4 fan-out"
	var out []Result
	var rates, r429 []float64
	var last FanoutResult
	for i := range runs {
		dir, err := opt.subdir(fmt.Sprintf("fanout-%d", i))
		if err != nil {
			return nil, err
		}
		r, err := RunFanout(nw, dir, n)
		if err != nil {
			return nil, err
		}
		if r.Delivered != n {
			return nil, fmt.Errorf("delivered %d of %d", r.Delivered, n)
		}
		rates = append(rates, r.Rate)
		r429 = append(r429, float64(r.Status429))
		last = r
	}
	rate, worst429 := median(rates), slices.Max(r429)
	q := len(last.Samples) / 4
	early, late := mean(last.Samples[:max(q, 1)]), mean(last.Samples[len(last.Samples)-max(q, 1):])
	out = append(out,
		Result{Target: t, Metric: fmt.Sprintf("messages per second, one release to %d channels", n), Value: rate, Unit: "/s",
			Want: ">= 47.5/s (95% of 50)", Pass: pass(rate >= 47.5), Note: fmt.Sprintf("%d runs; `natowatch once`, default pacing; %.0f s each", runs, last.Span.Seconds())},
		Result{Target: t, Metric: "  share of the global limit", Value: 100 * rate / 50, Unit: "%"},
		Result{Target: t, Metric: "429 answers (worst run)", Value: worst429, Unit: "", Want: "<= 1", Pass: pass(worst429 <= 1),
			Note: fmt.Sprintf("%d requests, %d refused as invalid", last.Requests, last.Rejected)},
		Result{Target: t, Metric: "RSS while delivering: first quarter -> last quarter", Value: late - early, Unit: "MiB",
			Want: "flat (< 10% growth)", Pass: pass(late-early < 0.1*early),
			Note: fmt.Sprintf("%.1f -> %.1f MiB (min %.1f, max %.1f, peak of the process %.1f MiB)", early, late,
				float64(last.RSSMin)/(1<<20), float64(last.RSSMax)/(1<<20), float64(last.PeakRSS)/(1<<20))},
	)
	return out, nil
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func benchLatency(opt Options) ([]Result, error) {
	nw, err := natowatchBinary(&opt)
	if err != nil {
		return nil, err
	}
	n := opt.size(50, 10)
	dir, err := opt.subdir("latency")
	if err != nil {
		return nil, err
	}
	r, err := RunLatency(nw, dir, n, "@every 10s", 0)
	if err != nil {
		return nil, err
	}
	const t = "5 latency"
	return []Result{
		{Target: t, Metric: fmt.Sprintf("release on the site -> message at Discord, p50 of %d", n), Value: r.P50.Seconds(), Unit: "s",
			Note: "`natowatch run`, schedule \"@every 10s\", default settings (http.per_host_rate 2)"},
		{Target: t, Metric: fmt.Sprintf("  p99 of %d", n), Value: r.P99.Seconds(), Unit: "s", Want: "< 11 s", Pass: pass(r.P99 < 11*time.Second),
			Note: fmt.Sprintf("max %.1f s", r.Max.Seconds())},
	}, nil
}

func benchFootprint(opt Options) ([]Result, error) {
	sites, err := StartFakeSites(opt.Self, 20)
	if err != nil {
		return nil, err
	}
	defer sites.Close()
	sp := FootprintDefault(opt.Dir, sites.Spec(), time.Now().UTC().Truncate(time.Hour))
	if opt.Quick {
		sp.Stored, sp.Subscriptions, sp.Day = 20_000, 2_000, 2*time.Hour
	}
	r, err := RunFootprint(opt.Self, sp)
	if err != nil {
		return nil, err
	}
	const t = "6 footprint"
	note := fmt.Sprintf("%d sources, %d subscriptions, %d stored; %s simulated: %d checks, %d new releases, %d alerts delivered, %d failed checks; CPU %.0f s",
		sp.Sources, sp.Subscriptions, sp.Stored, sp.Day, r.Checks, r.New, r.Delivered, r.Errors, r.CPU.Seconds())
	out := []Result{
		{Target: t, Metric: "resident memory after the day", Value: float64(r.RSS) / (1 << 20), Unit: "MiB", Want: "< 60 MiB", Pass: pass(r.RSS < 60<<20), Note: note},
		{Target: t, Metric: "  after returning free memory to the OS", Value: float64(r.RSSAfterFree) / (1 << 20), Unit: "MiB",
			Note: fmt.Sprintf("Go heap in use %.1f MiB of %.1f MiB; peak RSS %.1f MiB", float64(r.HeapInuse)/(1<<20), float64(r.HeapSys)/(1<<20), float64(r.PeakRSS)/(1<<20))},
	}
	if n := len(r.DBSizes); n > 0 {
		per := float64(r.DBSizes[n-1]) / float64(n) / (1 << 20)
		out = append(out, Result{Target: t, Metric: "state file per 10,000 releases", Value: per, Unit: "MiB",
			Note: fmt.Sprintf("%.0f MiB at %d releases; %.0f MiB after the day", float64(r.DBSizes[n-1])/(1<<20), n*10_000, float64(r.DBBytes)/(1<<20))})
	}
	return out, nil
}
