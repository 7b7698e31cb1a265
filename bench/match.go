package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/summary"
)

// SampleRelease is the sample press point as a release: the publisher's
// header, then the title, then the body.
func SampleRelease() (*release.Release, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "summary", "testdata", "publicnow-nato-2017-11-02-seoul-press-point.txt"))
	if err != nil {
		return nil, err
	}
	var ps []string
	for _, p := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	return &release.Release{Source: "bench", Title: ps[2], Type: release.TypeSpeech, Body: ps[3:]}, nil
}

// BigRelease is the sample's body repeated to at least size bytes.
func BigRelease(size int) (*release.Release, error) {
	r, err := SampleRelease()
	if err != nil {
		return nil, err
	}
	big := *r
	big.Body = nil
	for len(big.Text()) < size {
		big.Body = append(big.Body, r.Body...)
	}
	return &big, nil
}

// vocabulary is the sample's words, in order, with repeats.
func vocabulary(r *release.Release) []string {
	var out []string
	for _, w := range strings.Fields(r.Text()) {
		if w = strings.Trim(w, ".,;:!?\"'“”‘’()−-"); len(w) > 1 {
			out = append(out, w)
		}
	}
	return out
}

// TermWatches returns n distinct terms in watches of ten, each watch with
// an exclude term that never matches (so every watch is looked for in the
// whole text). With matching < 0 the terms are drawn as summary's
// BenchmarkMatch draws them: a word of the text (one in four), two words
// of the text (one in four) or a made-up word. Otherwise the first
// matching terms are words or pairs of words of the text (most of them
// match), in the first watches, and the others made-up words that never
// match, in watches of their own.
func TermWatches(r *release.Release, n, matching int) []summary.Watch {
	rng := rand.New(rand.NewPCG(7, 11))
	vocab := vocabulary(r)
	seen := map[string]bool{}
	var ts []string
	madeUp := func() string {
		var sb strings.Builder
		for k := 5 + rng.IntN(8); k > 0; k-- {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
		sb.WriteString("zq") // never a word of the text
		return sb.String()
	}
	for len(ts) < n {
		var t string
		kind := rng.IntN(4)
		if matching >= 0 {
			kind = 2
			if len(ts) < matching {
				kind = rng.IntN(2)
			}
		}
		switch i := rng.IntN(len(vocab) - 1); kind {
		case 0:
			t = vocab[i]
		case 1:
			t = vocab[i] + " " + vocab[i+1]
		default:
			t = madeUp()
		}
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			ts = append(ts, t)
		}
	}
	if matching < 0 {
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	} // else the matching terms stay in the first watches, the same for every n
	var ws []summary.Watch
	for i := 0; i < len(ts); i += 10 {
		ws = append(ws, summary.Watch{Name: fmt.Sprint("watch", i/10), Terms: ts[i:min(i+10, len(ts))], Exclude: []string{"zzyzx"}})
	}
	return ws
}

// MatchCost is the time of one Match and of building its matcher.
type MatchCost struct {
	Terms, Matching int
	Match, Build    time.Duration
	Matches         int // watches matched
}

// MeasureMatch builds a matcher for each watch list and times Match on r
// with each: the CPU time of the thread that runs it, in rounds of 100 ms
// per list, the lists taking turns (so that a busy moment of the machine
// falls on all of them); each cost is the lowest of its rounds.
func MeasureMatch(r *release.Release, lists [][]summary.Watch, rounds int) ([]MatchCost, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out := make([]MatchCost, len(lists))
	ms := make([]*summary.Matcher, len(lists))
	for i, ws := range lists {
		for _, w := range ws {
			out[i].Terms += len(w.Terms)
		}
		cpu0 := ThreadCPU()
		m, err := summary.NewMatcher(ws)
		if err != nil {
			return nil, err
		}
		out[i].Build = ThreadCPU() - cpu0
		out[i].Matches = len(m.Match(r))
		ms[i] = m
	}
	for range rounds {
		for i, m := range ms {
			n := 0
			cpu0 := ThreadCPU()
			for ThreadCPU()-cpu0 < 100*time.Millisecond {
				for range 5 {
					m.Match(r)
				}
				n += 5
			}
			if d := (ThreadCPU() - cpu0) / time.Duration(n); out[i].Match == 0 || d < out[i].Match {
				out[i].Match = d
			}
		}
	}
	return out, nil
}
