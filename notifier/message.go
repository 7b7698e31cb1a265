package notifier

import (
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/release"
)

// Discord's limits on a message.
const (
	LimitContent      = 2000
	LimitTitle        = 256
	LimitDescription  = 4096
	LimitFields       = 25
	LimitFieldName    = 256
	LimitFieldValue   = 1024
	LimitFooter       = 2048
	LimitEmbedTotal   = 6000
	maxChangeLines    = 6
	maxSummaryRunes   = 1000
	maxQuoteFieldRune = 600
)

// Message is the JSON body of a message create or edit, to a webhook or a
// channel. Its embeds are discordgo's; the body is natowatch's own because
// discordgo's MessageSend has no nonce and always writes tts, components
// and sticker_ids, which an edit does not take.
type Message struct {
	Content         string                    `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	AllowedMentions AllowedMentions           `json:"allowed_mentions"`
	Nonce           string                    `json:"nonce,omitempty"`
	EnforceNonce    bool                      `json:"enforce_nonce,omitempty"`
}

// AllowedMentions says who a message may ping: here never a user or
// @everyone, only the listed roles. (discordgo's MessageAllowedMentions
// would add replied_user.)
type AllowedMentions struct {
	Parse []string `json:"parse"`
	Roles []string `json:"roles,omitempty"`
}

var typeColor = map[release.Type]int{
	release.TypePressRelease: 0x004990, // NATO blue
	release.TypeNews:         0x2E86C1,
	release.TypeSpeech:       0x8E44AD,
	release.TypeOfficialText: 0x117A65,
}

// Build renders an alert as a message, inside every Discord limit. Roles of
// matched watches are pinged in content and allowed; nothing else can ping.
func Build(a release.Alert) Message {
	e := &discordgo.MessageEmbed{
		Title:     Truncate(Escape(a.Title), LimitTitle),
		URL:       webURL(a.URL),
		Color:     typeColor[a.Type],
		Footer:    &discordgo.MessageEmbedFooter{Text: Truncate("natowatch · "+a.Source, LimitFooter)},
		Author:    &discordgo.MessageEmbedAuthor{Name: Truncate(authorLine(a), LimitTitle)},
		Timestamp: timestamp(a.Published),
	}
	if e.Color == 0 {
		e.Color = 0x5D6D7E
	}
	e.Description = Truncate(Escape(strings.Join(a.Summary, " ")), maxSummaryRunes)
	if a.Changes != nil {
		e.Fields = append(e.Fields, changeFields(a.Changes)...)
	}
	for _, q := range a.Quotes {
		name := "Quote"
		if q.Speaker != "" {
			name = Escape(q.Speaker)
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate(name, LimitFieldName),
			Value: "“" + Truncate(Escape(q.Text), maxQuoteFieldRune-2) + "”",
		})
	}
	var roles []string
	for _, m := range a.Matches {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate("Watch: "+Escape(m.Watch), LimitFieldName),
			Value: Truncate(MarkTerm(m), LimitFieldValue),
		})
		if m.Role != "" && !contains(roles, m.Role) {
			roles = append(roles, m.Role)
		}
	}
	e.Fields = nonEmpty(e.Fields)
	if len(e.Fields) > LimitFields {
		e.Fields = e.Fields[:LimitFields]
	}
	fitEmbed(e)
	msg := Message{Embeds: []*discordgo.MessageEmbed{e}, AllowedMentions: AllowedMentions{Parse: []string{}, Roles: roles}}
	var pings []string
	for _, r := range roles {
		pings = append(pings, "<@&"+r+">")
	}
	msg.Content = Truncate(strings.Join(pings, " "), LimitContent)
	return msg
}

// webURL is u when it is an http(s) URL (Discord refuses others), else "".
func webURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}

func authorLine(a release.Alert) string {
	s := a.Type.Label()
	if a.Kind == release.KindUpdate {
		s = "Updated · " + s
	}
	if !a.Published.IsZero() {
		s += " · " + a.Published.UTC().Format("2 Jan 2006")
	}
	if a.Reference != "" {
		s += " · " + a.Reference
	}
	return s
}

// timestamp is the embed's time; a date without a time of day (midnight
// UTC, as most listings give) is left to the author line instead, where it
// cannot be shown in a reader's zone as the day before.
func timestamp(t time.Time) string {
	if t.IsZero() || t.UTC().Truncate(24*time.Hour).Equal(t.UTC()) {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// MarkTerm escapes a matched sentence and bolds the matched term.
func MarkTerm(m release.Match) string {
	s := m.Sentence
	if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
		return Escape(s)
	}
	return Escape(s[:m.Start]) + "**" + Escape(s[m.Start:m.End]) + "**" + Escape(s[m.End:])
}

func changeFields(c *release.Changes) []*discordgo.MessageEmbedField {
	var out []*discordgo.MessageEmbedField
	if c.TitleChanged != "" {
		out = append(out, &discordgo.MessageEmbedField{Name: "Title was", Value: Truncate(Escape(c.TitleChanged), LimitFieldValue)})
	}
	lines := func(prefix string, ss []string) string {
		var b []string
		for i, s := range ss {
			if i == maxChangeLines {
				b = append(b, fmt.Sprintf("… and %d more", len(ss)-i))
				break
			}
			b = append(b, prefix+Truncate(Escape(s), 300))
		}
		return Truncate(strings.Join(b, "\n"), LimitFieldValue)
	}
	if len(c.Added) > 0 {
		out = append(out, &discordgo.MessageEmbedField{Name: "Added", Value: lines("＋ ", c.Added)})
	}
	if len(c.Removed) > 0 {
		out = append(out, &discordgo.MessageEmbedField{Name: "Removed", Value: lines("－ ", c.Removed)})
	}
	if len(out) == 0 {
		out = append(out, &discordgo.MessageEmbedField{Name: "Changed", Value: "Wording or layout changed; no sentence was added or removed."})
	}
	return out
}

// EmbedLen counts what Discord counts towards an embed's 6000
// (LimitEmbedTotal), and towards all of a message's embeds together.
func EmbedLen(e *discordgo.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description)
	if e.Footer != nil {
		n += runeLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	return n
}

// fitEmbed shortens an embed until it is inside the total limit: the last
// fields go first, then the description shrinks.
func fitEmbed(e *discordgo.MessageEmbed) {
	for EmbedLen(e) > LimitEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	if over := EmbedLen(e) - LimitEmbedTotal; over > 0 {
		e.Description = Truncate(e.Description, max(runeLen(e.Description)-over, 1))
	}
}

// nonEmpty drops fields Discord would refuse: a blank name or value.
func nonEmpty(fs []*discordgo.MessageEmbedField) []*discordgo.MessageEmbedField {
	out := fs[:0]
	for _, f := range fs {
		if strings.TrimSpace(f.Value) == "" || strings.TrimSpace(f.Value) == "“”" {
			continue
		}
		if strings.TrimSpace(f.Name) == "" {
			f.Name = "\u200b"
		}
		out = append(out, f)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
