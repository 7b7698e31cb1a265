package summary

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleGolden is what Summarize and Quotes make of the sample.
type sampleGolden struct {
	Summary []string        `json:"summary"`
	Quotes  []release.Quote `json:"quotes"`
}

func TestSampleGolden(t *testing.T) {
	r := loadSample(t)
	got := sampleGolden{Summary: Summarize(r), Quotes: Quotes(r)}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	const path = "testdata/seoul-press-point.golden"
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./summary -update to create it)", err)
	}
	if string(b) != string(want) {
		t.Errorf("sample summary and quotes differ from %s (go test ./summary -update rewrites it):\n%s", path, b)
	}
}

// TestSampleSummary checks what must hold for the sample whatever the
// golden file says.
func TestSampleSummary(t *testing.T) {
	r := loadSample(t)
	got := Summarize(r)
	if len(got) < 1 || len(got) > 3 {
		t.Fatalf("Summarize returned %d sentences, want 1 to 3: %q", len(got), got)
	}
	sentences := Sentences(r.Text())
	last := -1
	total := 0
	for _, s := range got {
		i := slices.Index(sentences, s)
		if i < 0 {
			t.Errorf("%q is not a sentence of the body", s)
		}
		if i <= last {
			t.Errorf("%q is out of order", s)
		}
		last = i
		total += utf8.RuneCountInString(s)
		if isBoilerplate(s) || strings.HasPrefix(s, "Good evening") {
			t.Errorf("boilerplate chosen: %q", s)
		}
	}
	if total > maxSummaryRunes {
		t.Errorf("summary has %d runes, want at most %d", total, maxSummaryRunes)
	}
}

func TestSummarize(t *testing.T) {
	long := strings.Repeat("Allies agreed to strengthen deterrence and defence across the Euro-Atlantic area ", 12) + "today."
	tests := []struct {
		name  string
		r     *release.Release
		want  []string
		check func(t *testing.T, got []string)
	}{
		{name: "nil release", r: nil, want: nil},
		{name: "empty body", r: &release.Release{Title: "T"}, want: nil},
		{name: "blank paragraphs", r: &release.Release{Body: []string{"", "  "}}, want: nil},
		{
			name: "greetings skipped",
			r: &release.Release{Type: release.TypeSpeech, Body: []string{
				"Good evening,", "Ladies and gentlemen,",
				"NATO Allies agreed a new plan to defend the eastern flank.",
				"Thank you very much.", "And with that, I'm ready to take your questions.",
			}},
			want: []string{"NATO Allies agreed a new plan to defend the eastern flank."},
		},
		{
			name: "short fragments only when nothing else",
			r:    &release.Release{Body: []string{"Thank you.", "Allies met."}},
			want: []string{"Allies met."},
		},
		{
			name: "Q&A turns skipped",
			r: &release.Release{Type: release.TypeSpeech, Title: "Press conference by NATO Secretary General Mark Rutte", Body: []string{
				"NATO Secretary General Mark Rutte: Allies agreed today to raise defence spending to five percent of GDP.",
				"Moderator: We will take the first question from Reuters in the third row please.",
				"Question (Reuters): Is there a deadline for reaching the new defence spending target of five percent?",
				"NATO Secretary General Mark Rutte: The deadline for the new defence spending target is 2035.",
			}},
			check: func(t *testing.T, got []string) {
				for _, s := range got {
					if strings.Contains(s, "Reuters") || strings.Contains(s, "Mark Rutte:") {
						t.Errorf("summary holds a Q&A prompt or a label: %q", s)
					}
				}
				if !slices.Contains(got, "Allies agreed today to raise defence spending to five percent of GDP.") {
					t.Errorf("summary %q misses the lead", got)
				}
			},
		},
		{
			name: "over-long first sentence is cut",
			r:    &release.Release{Body: []string{long}},
			check: func(t *testing.T, got []string) {
				if len(got) != 1 {
					t.Fatalf("got %d sentences", len(got))
				}
				if n := utf8.RuneCountInString(got[0]); n > maxSummaryRunes || !strings.HasSuffix(got[0], "…") {
					t.Errorf("got %d runes %q, want at most %d ending in …", n, got[0], maxSummaryRunes)
				}
				if !strings.HasPrefix(long, strings.TrimSuffix(got[0], "…")) || strings.HasSuffix(got[0], " …") {
					t.Errorf("not cut on a word boundary: %q", got[0])
				}
			},
		},
		{
			name: "news lead",
			r: &release.Release{Type: release.TypeNews, Title: "NATO Allies open new centre in Finland", Body: []string{
				"NATO Allies opened a new land forces command centre in Mikkeli, Finland, on Tuesday.",
				"The centre will coordinate the defence of the Alliance's northern flank. It will have about 50 staff at first.",
				"The weather in Mikkeli was sunny and mild for the ceremony, with a light breeze.",
				"Finland joined the Alliance in April 2023. Sweden joined in March 2024.",
			}},
			check: func(t *testing.T, got []string) {
				if len(got) == 0 || got[0] != "NATO Allies opened a new land forces command centre in Mikkeli, Finland, on Tuesday." {
					t.Errorf("summary %q does not start with the lead", got)
				}
				if slices.Contains(got, "The weather in Mikkeli was sunny and mild for the ceremony, with a light breeze.") {
					t.Errorf("summary %q holds the off-topic sentence", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarize(tt.r)
			if tt.check != nil {
				tt.check(t, got)
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Summarize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 10, "one two…"},
		{"one two, three", 9, "one two…"},
		{"abcdefghij", 5, "abcd…"},
		{"ăăă ăăă", 5, "ăăă…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
