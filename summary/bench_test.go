package summary

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

func BenchmarkSummarize(b *testing.B) {
	r := loadSample(b)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(r)
	}
}

func BenchmarkQuotes(b *testing.B) {
	r := loadSample(b)
	b.ReportAllocs()
	for b.Loop() {
		Quotes(r)
	}
}

// bigRelease is the sample body repeated to about 50 KB.
func bigRelease(b *testing.B) *release.Release {
	r := loadSample(b)
	big := *r
	big.Body = nil
	for len(big.Text()) < 50_000 {
		big.Body = append(big.Body, r.Body...)
	}
	return &big
}

// benchWatches returns n terms in watches of ten: words and two-word
// phrases of the sample (some match) and made-up words (most do not).
func benchWatches(b *testing.B, n int) []Watch {
	rng := rand.New(rand.NewPCG(7, 11))
	vocab := words(loadSample(b).Text())
	seen := map[string]bool{}
	var ts []string
	for len(ts) < n {
		var t string
		switch rng.IntN(4) {
		case 0:
			t = vocab[rng.IntN(len(vocab))]
		case 1:
			i := rng.IntN(len(vocab) - 1)
			t = vocab[i] + " " + vocab[i+1]
		default:
			var sb strings.Builder
			for k := 4 + rng.IntN(8); k > 0; k-- {
				sb.WriteByte(byte('a' + rng.IntN(26)))
			}
			t = sb.String()
		}
		if !seen[t] {
			seen[t] = true
			ts = append(ts, t)
		}
	}
	var ws []Watch
	for i := 0; i < len(ts); i += 10 {
		ws = append(ws, Watch{Name: fmt.Sprint("watch", i/10), Terms: ts[i:min(i+10, len(ts))], Exclude: []string{"zzyzx"}})
	}
	return ws
}

func BenchmarkMatch(b *testing.B) {
	r := bigRelease(b)
	for _, n := range []int{100, 10_000} {
		m, err := NewMatcher(benchWatches(b, n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("terms=%d/text=%dKB", n, len(r.Text())/1000), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(r.Text())))
			for b.Loop() {
				m.Match(r)
			}
		})
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	ws := benchWatches(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMatcher(ws); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(matcherBytes(b, ws)), "B/matcher")
}

// matcherBytes returns the heap that a matcher of ws holds once built.
func matcherBytes(b *testing.B, ws []Watch) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := NewMatcher(ws)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	return after.HeapAlloc - before.HeapAlloc
}

func BenchmarkSummarizeLong(b *testing.B) {
	r := bigRelease(b)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(r)
	}
}
