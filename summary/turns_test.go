package summary

import "testing"

func TestSpeakerFromTitle(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Press Point by NATO Secretary General Jens Stoltenberg at ASAN Institute for Policy Studies, Seoul, Repubic of Korea", "NATO Secretary General Jens Stoltenberg"},
		{"Speech by NATO Deputy Secretary General Mircea Geoană at the Globsec Forum", "NATO Deputy Secretary General Mircea Geoană"},
		{"Press conference by NATO Secretary General Mark Rutte following the meeting of the North Atlantic Council", "NATO Secretary General Mark Rutte"},
		{"Remarks by NATO Secretary General Mark Rutte", "NATO Secretary General Mark Rutte"},
		{"Opening remarks by NATO Secretary General Jens Stoltenberg at the meeting of NATO Defence Ministers", "NATO Secretary General Jens Stoltenberg"},
		{"Doorstep statement by NATO Secretary General Mark Rutte ahead of the meeting", "NATO Secretary General Mark Rutte"},
		{"Joint press conference with NATO Secretary General Jens Stoltenberg and the Prime Minister of Sweden", "NATO Secretary General Jens Stoltenberg"},
		{"Keynote speech by the NATO Secretary General in Washington", "NATO Secretary General"},
		{"NATO Secretary General meets with the President of Finland", ""},
		{"Allies agree new defence plans", ""},
	}
	for _, tt := range tests {
		if got := speakerFromTitle(tt.title); got != tt.want {
			t.Errorf("speakerFromTitle(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestSplitLabel(t *testing.T) {
	tests := []struct {
		in, label, rest string
		ok              bool
	}{
		{"NATO Secretary General Mark Rutte: Good morning.", "NATO Secretary General Mark Rutte", "Good morning.", true},
		{"Mircea Geoană [NATO Deputy Secretary General]: Thank you.", "Mircea Geoană [NATO Deputy Secretary General]", "Thank you.", true},
		{"Oana Lungescu (NATO Spokesperson): Reuters.", "Oana Lungescu (NATO Spokesperson)", "Reuters.", true},
		{"Q: Will you?", "Q", "Will you?", true},
		{"Question (John Smith, Reuters): Is it true?", "Question (John Smith, Reuters)", "Is it true?", true},
		{"Our position is clear: North Korea must abandon its programme.", "", "", false},
		{"In my meetings, one message came through:", "", "", false},
		{"Note: this is an update.", "", "", false},
		{"The meeting starts at 10:30 today.", "", "", false},
		{"See https://www.nato.int for more.", "", "", false},
	}
	for _, tt := range tests {
		label, rest, ok := splitLabel(tt.in)
		if label != tt.label || rest != tt.rest || ok != tt.ok {
			t.Errorf("splitLabel(%q) = %q, %q, %v; want %q, %q, %v", tt.in, label, rest, ok, tt.label, tt.rest, tt.ok)
		}
	}
}

func TestClassifyLabel(t *testing.T) {
	const main = "NATO Secretary General Jens Stoltenberg"
	tests := []struct {
		label string
		want  turnKind
	}{
		{"NATO Secretary General Jens Stoltenberg", turnMain},
		{"Jens Stoltenberg (NATO Secretary General)", turnMain},
		{"Stoltenberg", turnMain},
		{"Secretary General", turnMain},
		{"SG", turnMain},
		{"NATO Deputy Secretary General", turnOther},
		{"Mircea Geoană [NATO Deputy Secretary General]", turnOther},
		{"Prime Minister Erna Solberg", turnOther},
		{"Oana Lungescu (NATO Spokesperson)", turnModerator},
		{"Moderator", turnModerator},
		{"Question (Reuters)", turnQuestion},
		{"Q", turnQuestion},
		{"A", turnMain},
	}
	for _, tt := range tests {
		if got := classifyLabel(tt.label, main); got != tt.want {
			t.Errorf("classifyLabel(%q) = %d, want %d", tt.label, got, tt.want)
		}
	}
}
