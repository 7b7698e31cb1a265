package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

// — /latest, /search, /status —

func (it *interaction) latest() {
	n := 3
	if o, ok := it.options()["count"]; ok {
		n = min(max(int(o.IntValue()), 1), 5)
	}
	want, _ := release.ParseType(it.str("type"))
	it.later(false, func() (string, []*discordgo.MessageEmbed) {
		all, err := it.b.store.Latest(it.ctx, 200)
		if err != nil {
			it.log.Error("latest", "err", err)
			return "Something went wrong on natowatch's side.", nil
		}
		var embeds []*discordgo.MessageEmbed
		total := 0
		for _, st := range all {
			if want != "" && st.Release.Type != want {
				continue
			}
			e := notifier.Build(buildAlert(&st.Release, release.KindNew, st.Version, nil, mustMatcher(nil))).Embeds[0]
			if size := notifier.EmbedLen(e); total+size > notifier.LimitEmbedTotal {
				break
			} else {
				total += size
			}
			embeds = append(embeds, e)
			if len(embeds) == n {
				break
			}
		}
		if len(embeds) == 0 {
			return "No releases stored yet.", nil
		}
		return "", embeds
	})
}

func (it *interaction) search() {
	q := it.str("query")
	it.later(false, func() (string, []*discordgo.MessageEmbed) {
		hits, err := it.b.store.Search(it.ctx, q, 5)
		if err != nil {
			it.log.Error("search", "err", err)
			return "Something went wrong on natowatch's side.", nil
		}
		if len(hits) == 0 {
			return "Nothing found for " + "“" + notifier.Escape(notifier.Truncate(q, 100)) + "”.", nil
		}
		e := &discordgo.MessageEmbed{Title: notifier.Truncate("Search: "+notifier.Escape(q), notifier.LimitTitle)}
		for _, h := range hits {
			date := ""
			if !h.Release.Published.IsZero() {
				date = h.Release.Published.UTC().Format("2 Jan 2006") + " · "
			}
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
				Name:  notifier.Truncate(notifier.Escape(h.Release.Title), notifier.LimitFieldName),
				Value: notifier.Truncate(date+h.Release.URL+"\n"+escapeSnippet(h.Snippet), notifier.LimitFieldValue),
			})
		}
		return "", []*discordgo.MessageEmbed{e}
	})
}

// escapeSnippet escapes a search snippet but keeps its **marks**.
func escapeSnippet(s string) string {
	parts := strings.Split(s, "**")
	for i := range parts {
		parts[i] = notifier.Escape(parts[i])
	}
	return strings.Join(parts, "**")
}

func (it *interaction) status() {
	st, err := it.b.status(it.ctx)
	if err != nil {
		it.fail(err)
		return
	}
	var lines []string
	for _, src := range st.Sources {
		lastCheck := src.LastCheck
		if src.LastSuccess.After(lastCheck) {
			lastCheck = src.LastSuccess
		}
		line := fmt.Sprintf("**%s** (%s): last check %s, last success %s", notifier.Escape(src.Name), src.Type,
			ago(lastCheck), ago(src.LastSuccess))
		if src.Route != "" {
			line += ", listing via " + src.Route
		}
		if src.LastError != "" {
			line += fmt.Sprintf("; failing since %s: %s", ago(src.FailingSince), notifier.Escape(notifier.Truncate(src.LastError, 200)))
		}
		lines = append(lines, line)
	}
	lines = append(lines, fmt.Sprintf("Delivery queue: %d waiting, %d failed, %d sent (in the last %s).", st.Queue.Pending, st.Queue.Failed, st.Queue.Sent,
		days(it.b.cfg.Delivery.Keep.D())))
	lines = append(lines, "natowatch "+it.b.version)
	it.reply(notifier.Truncate(strings.Join(lines, "\n"), notifier.LimitContent), true)
}

// ago shows a time as Discord's relative timestamp ("5 minutes ago").
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("<t:%d:R>", t.Unix())
}
