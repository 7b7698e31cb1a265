package summary

import (
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

func TestMainSpeaker(t *testing.T) {
	tests := []struct {
		name string
		r    release.Release
		want string
	}{
		{"by-line before a journalist's label", release.Release{
			Title: "Doorstep statement", Byline: "by NATO Secretary General Jens Stoltenberg at the start of the extraordinary Summit",
			Speakers: []string{"Hadley Gamble (CNBC)"}, Body: []string{"Good morning.", "Hadley Gamble (CNBC):", "A question?"},
		}, "NATO Secretary General Jens Stoltenberg"},
		{"joint press conference by-line", release.Release{
			Title: "Joint press conference", Byline: "with NATO Secretary General Mark Rutte and the Prime Minister of Sweden",
		}, "NATO Secretary General Mark Rutte"},
		{"by-line with a Q&A", release.Release{
			Title: "Speech", Byline: "by NATO Secretary General Mark Rutte followed by a Q&A at the Comenius University, in Bratislava",
		}, "NATO Secretary General Mark Rutte"},
		{"possessive title", release.Release{Title: "NATO Secretary General's press conference (Q&A)"}, "NATO Secretary General"},
		{"speaker line", release.Release{
			Title: "Doorstep statement", Body: []string{"(As delivered)", "Mark Rutte, NATO Secretary General", "Good morning."},
		}, "NATO Secretary General Mark Rutte"},
		{"a journalist is never the main speaker", release.Release{
			Title: "Doorstep statement", Speakers: []string{"Hadley Gamble (CNBC)"}, Body: []string{"We are ready.", "Hadley Gamble (CNBC):", "Will you?"},
		}, ""},
		{"a chairman is never the main speaker", release.Release{
			Title: "Session I", Speakers: []string{"JAMIE SHEA (Deputy Assistant Secretary General)"},
			Body: []string{"JAMIE SHEA (Deputy Assistant Secretary General): Thank you for letting me be the moderator or chairman of this session."},
		}, ""},
		{"a label in capitals keeps its title", release.Release{
			Title: "Joint press point", Speakers: []string{"JENS STOLTENBERG (NATO Secretary General)"},
			Body: []string{"JENS STOLTENBERG (NATO Secretary General): Thank you so much, Prime Minister."},
		}, "NATO Secretary General Jens Stoltenberg"},
	}
	for _, tt := range tests {
		if got := mainSpeaker(&tt.r); got != tt.want {
			t.Errorf("%s: mainSpeaker = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestClassifyLabels(t *testing.T) {
	const main = "NATO Secretary General Mark Rutte"
	tests := []struct {
		label string
		want  turnKind
	}{
		{"Hadley Gamble (CNBC)", turnQuestion},
		{"Kevin Baron [Defense One]", turnQuestion},
		{"Lorne Cook, Associated Press", turnQuestion},
		{"Chairman", turnModerator},
		{"Julie Bishop [Former Foreign Minister of Australia, Moderator]", turnModerator},
		{"Chair of the NATO Military Committee Admiral Rob Bauer", turnOther},
		{"Mark Rutte [NATO Secretary General]", turnMain},
		{"Mark Rutte, NATO Secretary General", turnMain},
		{"Volodymyr Zelenskyy, President of Ukraine", turnOther},
		{"Vilnius, Lithuania", turnOther}, // a dateline, not a journalist
		{"Brussels (Belgium)", turnOther},
	}
	for _, tt := range tests {
		if got := classifyLabel(tt.label, main); got != tt.want {
			t.Errorf("classifyLabel(%q) = %d, want %d", tt.label, got, tt.want)
		}
	}
}

func TestDisplaySpeaker(t *testing.T) {
	tests := []struct{ label, want string }{
		{"Jens Stoltenberg [NATO Secretary General]", "NATO Secretary General Jens Stoltenberg"},
		{"Kevin Baron [Defense One]", "Kevin Baron"},
		{"Hadley Gamble (CNBC", "Hadley Gamble"},
		{"NATO Secretary General, Jens Stoltenberg", "NATO Secretary General Jens Stoltenberg"},
		{"JENS STOLTENBERG (NATO Secretary General)", "NATO Secretary General Jens Stoltenberg"},
	}
	for _, tt := range tests {
		if got := displaySpeaker(tt.label); got != tt.want {
			t.Errorf("displaySpeaker(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}

// TestModeratedTurns: a host's and a questioner's words are never key
// quotes nor the summary; unlabelled paragraphs before any label are the
// main speaker's.
func TestModeratedTurns(t *testing.T) {
	r := &release.Release{
		Title:  "Press conference",
		Type:   release.TypeSpeech,
		Byline: "by NATO Secretary General Mark Rutte following the meeting of NATO Defence Ministers",
		Body: []string{
			"Today Allies agreed to double the production of air defence interceptors by the end of next year.",
			"Every Ally will contribute to the new air defence plan, and the first batteries will deploy in spring.",
			"Allison Hart, NATO Spokesperson:",
			"We will now take questions. The first goes to Reuters, please keep it short.",
			"Lorne Cook, Associated Press:",
			"Secretary General, the Russian threat is growing every week and Allies are divided on the money. Will the interceptors come too late for the eastern flank?",
			"NATO Secretary General Mark Rutte:",
			"No, they will not come too late, because Allies have already ordered them and the factories are running.",
		},
	}
	sum, qs := Digest(r)
	for _, s := range sum {
		if containsAny(s, "take questions|Reuters|too late for the eastern flank|Russian threat is growing") {
			t.Errorf("summary holds a host's or journalist's words: %q", s)
		}
	}
	for _, q := range qs {
		if q.Speaker != "NATO Secretary General Mark Rutte" || containsAny(q.Text, "take questions|Russian threat is growing|Will the interceptors") {
			t.Errorf("key quote %q credited to %q", q.Text, q.Speaker)
		}
	}
	if len(qs) == 0 {
		t.Error("no key quote of the Secretary General")
	}
}

func TestIsQuestionPara(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"Thank you. Jana Novak, Czech Television. You mentioned cooperation between Russia and China. Did Ministers discuss any concrete steps in response?", true},
		{"Secretary General, will joining the Coalition mean that NATO takes part in combat operations?", true},
		{"I have a question about the spending figures. Are you expecting that increase to drop?", true},
		{"So what does this mean for NATO? It means we must invest more.", false},
		{"Why does this matter? Because our security is at stake.", false},
	}
	for _, tt := range tests {
		if got := isQuestionPara(tt.p); got != tt.want {
			t.Errorf("isQuestionPara(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// TestQuotationInAQuestion: a quotation in a journalist's question is no
// key quote, even with its speaker named.
func TestQuotationInAQuestion(t *testing.T) {
	r := &release.Release{
		Title: "Press conference", Type: release.TypeSpeech,
		Byline: "by NATO Secretary General Mark Rutte following the meeting of NATO Defence Ministers",
		Body: []string{
			"Allies agreed today to double the production of air defence interceptors by next year.",
			"Question (Reuters):",
			"President Trump said on Monday that “Europe must pay for its own defence from now on”. Do you agree?",
			"NATO Secretary General Mark Rutte:",
			"Every Ally is investing more, and we will keep up the pace until the plan is fully funded.",
		},
	}
	for _, q := range Quotes(r) {
		if strings.Contains(q.Text, "Europe must pay") || q.Speaker != "NATO Secretary General Mark Rutte" {
			t.Errorf("key quote %q credited to %q", q.Text, q.Speaker)
		}
	}
}

func TestStandAlone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"And the first step is the establishment of four new battlegroups.", "The first step is the establishment of four new battlegroups.", true},
		{"And has provided invaluable support for this meeting.", "", false},
		{"And it must refrain from further testing.", "", false},
		{"But, we will never accept the illegal annexation of Crimea.", "We will never accept the illegal annexation of Crimea.", true},
		{"So be it.", "", false},
		{"And appointing a Supreme Allied Commander in Europe.", "", false},
		{"We stand together.", "We stand together.", true},
	}
	for _, tt := range tests {
		if got, ok := standAlone(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("standAlone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSpeakerLineTurns: a "Name, Role" line opens a turn anywhere in a
// transcript; the other speaker's words are not the main speaker's.
func TestSpeakerLineTurns(t *testing.T) {
	r := &release.Release{
		Title: "Joint press conference", Type: release.TypeSpeech,
		Byline: "with NATO Secretary General Mark Rutte and the Prime Minister of Sweden",
		Body: []string{
			"Mark Rutte, NATO Secretary General",
			"Sweden is a strong Ally, and its forces will lead the new forward land forces in Finland from next year.",
			"Allies agreed today to double the production of air defence interceptors by the end of next year.",
			"Ulf Kristersson, Prime Minister of Sweden",
			"Sweden will double its contribution to the Baltic Sea patrols and buy two more submarines for the Alliance.",
		},
	}
	for _, q := range Quotes(r) {
		if strings.Contains(q.Text, "submarines") {
			t.Errorf("the Prime Minister's words credited to %q: %q", q.Speaker, q.Text)
		}
	}
}
