package scraper

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestPublicHeaderLines checks bodyPublicHeader and hasPublicLine, which
// read only the lines they need, against publicHeader of all the lines, on
// headers split over lines every way and among lines that look like them.
func TestPublicHeaderLines(t *testing.T) {
	tokens := []string{"11/02/2017", "1/2/2026", "13/13/2026", "|", "| Press release", "Press release |", "Speech", "|",
		"Distributed by Public on 11/02/2017 03:34", "Distributed by Public", "Distributed by Public on", "x", "2017",
		"NATO - North Atlantic Treaty Organisation", "Title of the release", "| Distributed by Public on 01/01/2026",
		"11/02/2017 | Press release | Distributed by Public on 11/02/2017 03:34", "11/02/2017 |", "| News |"}
	rng := rand.New(rand.NewPCG(11, 12))
	found := 0
	for range sized(10000) {
		body := &html.Node{Type: html.ElementNode, Data: "body"}
		var lines []string
		add := func(line string) {
			p := &html.Node{Type: html.ElementNode, Data: "p"}
			p.AppendChild(&html.Node{Type: html.TextNode, Data: line})
			body.AppendChild(p)
			lines = append(lines, clean(line))
		}
		header := rng.IntN(14) // where a header split into lines goes
		for k := range rng.IntN(14) {
			if k == header {
				// The header's five parts, split at the four places
				// its white space can take in a line break.
				parts := []string{"11/02/2017", "|", "Speech", "|", "Distributed by Public on 11/02/2017 03:34"}
				split := rng.IntN(16)
				line := parts[0]
				for j, part := range parts[1:] {
					if split&(1<<j) != 0 {
						add(line)
						line = part
					} else {
						line += " " + part
					}
				}
				add(line)
				continue
			}
			var b strings.Builder
			for k := range 1 + rng.IntN(3) {
				if k > 0 {
					b.WriteString(" ")
				}
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
			add(b.String())
		}
		bodies := []*html.Node{body}
		all := paragraphNodes(bodies)
		want := publicHeader(strings.Join(all, "\n"))
		if got := bodyPublicHeader(bodies); !reflect.DeepEqual(got, want) {
			t.Fatalf("lines %q: bodyPublicHeader %+v, want %+v", all, got, want)
		}
		if got := hasPublicLine(all); got != (want != nil) {
			t.Fatalf("lines %q: hasPublicLine %v", all, got)
		}
		if want != nil {
			found++
		}
	}
	if found < sized(100) {
		t.Errorf("only %d headers found", found)
	}
}
