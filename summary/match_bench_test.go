package summary

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkMatchFlat is Match with 100 terms that occur in the text and
// more and more terms that never do: past the matcher's build, its cost
// should not grow with them (the text is read once, a lookup a word,
// whatever the number of terms).
func BenchmarkMatchFlat(b *testing.B) {
	r := bigRelease(b)
	matching := benchWatches(b, 100)
	for _, extra := range []int{0, 900, 9_900} {
		ws := append([]Watch(nil), matching...)
		for i := 0; i < extra; i += 10 {
			var ts []string
			for k := i; k < min(i+10, extra); k++ {
				ts = append(ts, fmt.Sprintf("zq%sq", strings.Repeat(string(rune('a'+k%26)), 3+k%5))+fmt.Sprint(k))
			}
			ws = append(ws, Watch{Name: fmt.Sprint("never", i), Terms: ts})
		}
		m, err := NewMatcher(ws)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("terms=%d", 100+extra), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Match(r)
			}
		})
	}
}
