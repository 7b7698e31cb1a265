// Package release holds the types every stage of natowatch shares: what a
// source extracts (Release), what the summariser adds (Quote, Match), and the
// alert that is stored in the outbox and rendered by a notifier (Alert).
// It imports nothing of natowatch, so scraper, state, summary and notifier
// can all use it without knowing each other.
package release

import (
	"strings"
	"time"
)

// Type is the kind of a release.
type Type string

// The release types natowatch knows. TypeOther is used when no signal tells.
const (
	TypePressRelease Type = "press-release"
	TypeNews         Type = "news"
	TypeSpeech       Type = "speech" // speeches, transcripts, press conferences, press points
	TypeOfficialText Type = "official-text"
	TypeOther        Type = "other"
)

// Label is the human name of a type, as shown in alerts.
func (t Type) Label() string {
	switch t {
	case TypePressRelease:
		return "Press release"
	case TypeNews:
		return "News"
	case TypeSpeech:
		return "Speech/transcript"
	case TypeOfficialText:
		return "Official text"
	default:
		return "Release"
	}
}

// ParseType maps a user-facing spelling ("press release", "speech", …) to a Type.
func ParseType(s string) (Type, bool) {
	switch strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(strings.TrimSpace(s))) {
	case "press-release", "pressrelease", "press-releases":
		return TypePressRelease, true
	case "news", "article":
		return TypeNews, true
	case "speech", "speeches", "transcript", "transcripts", "speech/transcript", "opinion", "opinions":
		return TypeSpeech, true
	case "official-text", "official-texts", "officialtext":
		return TypeOfficialText, true
	case "other", "release":
		return TypeOther, true
	}
	return "", false
}

// Source kinds: how a configured source is read (its `type` in the
// configuration). They live here, not in scraper, so that config can check
// them without importing the scraper's HTML and feed parsers.
const (
	SourceNATO       = "nato"
	SourceNATOLegacy = "nato-legacy"
	SourceRSS        = "rss"
	SourcePublicNow  = "publicnow"
	SourceHTML       = "html"
)

// SourceKinds lists every source kind.
var SourceKinds = []string{SourceNATO, SourceNATOLegacy, SourceRSS, SourcePublicNow, SourceHTML}

// Release is one publication as extracted from its page.
type Release struct {
	Source    string    `json:"source"`              // the configured source name
	URL       string    `json:"url"`                 // canonical URL
	GUID      string    `json:"guid,omitempty"`      // feed guid, when the source has one
	Title     string    `json:"title"`               // plain text
	Type      Type      `json:"type"`                //
	Published time.Time `json:"published"`           // zero when unknown
	Reference string    `json:"reference,omitempty"` // e.g. "Press Release (2017) 123"
	Speakers  []string  `json:"speakers,omitempty"`  // who speaks, for speeches and transcripts
	// Byline is the page's by-line, e.g. "by NATO Secretary General Mark
	// Rutte at the …" (a transcript's subtitle, or a listing's description);
	// the summariser takes the main speaker from it.
	Byline string `json:"byline,omitempty"`
	// Changes is what the last update changed (nil for a first version),
	// stored with the release so that feeds can say what was corrected.
	Changes *Changes `json:"changes,omitempty"`
	Body    []string `json:"body"` // paragraphs, plain text, in order
}

// Text is the body as one string, paragraphs separated by blank lines.
func (r *Release) Text() string { return strings.Join(r.Body, "\n\n") }

// Quote is a key quote and who said it. Speaker is empty when unknown.
type Quote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker,omitempty"`
}

// Match is one watch that matched a release: the sentence that matched and
// where in it the matched term stands (byte offsets into Sentence).
type Match struct {
	Watch    string `json:"watch"`
	Term     string `json:"term"`
	Sentence string `json:"sentence"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Role     string `json:"role,omitempty"` // role id to ping, if the watch has one
}

// Kind tells a first alert from an update of an earlier one.
type Kind string

const (
	KindNew    Kind = "new"
	KindUpdate Kind = "update"
)

// Changes lists what an update changed: sentences added and removed.
type Changes struct {
	Added        []string `json:"added,omitempty"`
	Removed      []string `json:"removed,omitempty"`
	TitleChanged string   `json:"title_changed,omitempty"` // the old title, when it changed
}

// Alert is everything a notifier needs to render one message. It is stored
// as JSON in the outbox, so it must stay self-contained.
type Alert struct {
	Kind      Kind      `json:"kind"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Type      Type      `json:"type"`
	Published time.Time `json:"published"`
	Reference string    `json:"reference,omitempty"`
	Summary   []string  `json:"summary"`
	Quotes    []Quote   `json:"quotes,omitempty"`
	Matches   []Match   `json:"matches,omitempty"`
	Changes   *Changes  `json:"changes,omitempty"`
	Version   int       `json:"version"` // 1 for the first, +1 per update
}

// Validators are HTTP cache validators: what a conditional GET sends back,
// as the fetcher reads them and the store remembers them.
type Validators struct {
	ETag         string
	LastModified string
}
