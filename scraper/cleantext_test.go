package scraper

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "  ": "", "a": "a", " a  b\t\nc ": "a b c", "a\u00a0b\u200bc": "a b c", "a\u2009b": "a\u2009b",
		"\xff  x": "\xff x",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortText(t *testing.T) {
	doc, err := html.Parse(strings.NewReader("<p>  24 May.\n <b>2017</b> -  </p><p>" + strings.Repeat("word ", 20) + "</p>"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "p" {
			ps = append(ps, n)
		}
	}
	if got, ok := shortText(ps[0], 40); !ok || got != "24 May. 2017 -" {
		t.Errorf("short line: %q, %v", got, ok)
	}
	if _, ok := shortText(ps[1], 40); ok {
		t.Error("a long line read as short")
	}
}

func TestTruncatedHTML(t *testing.T) {
	for in, want := range map[string]bool{
		"<HTML><body>x</body></HTML>": false, "<html><body>x": true, "<p>no html tag": false,
		"<html>" + strings.Repeat("x", 10000) + "</html>\n": false,
	} {
		if got := truncatedHTML([]byte(in)); got != want {
			t.Errorf("truncatedHTML(%.30q) = %v", in, got)
		}
	}
}

func TestSpeakerLabels(t *testing.T) {
	for label, want := range map[string]bool{
		"NATO Secretary General Mark Rutte": true, "Jens Stoltenberg [NATO Secretary General]": true,
		"Question (Reuters)": false, "Moderator": false, "Mark": false, "Thank you very much": false,
		"Chair of the NATO Military Committee Admiral Giuseppe Cavo Dragone": true, "Mr. Rutte said": false,
		"NATO Spokesperson Allison Hart": true, "Share": false, "Read More": false,
	} {
		if got := isSpeakerLabel(label); got != want {
			t.Errorf("isSpeakerLabel(%q) = %v, want %v", label, got, want)
		}
	}
}
