package app

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// The /watch commands.

// validWatchName reports whether name is 1 to 32 lower-case letters,
// digits, '-' or '_', starting with a letter or digit. (A regexp of these
// Unicode classes costs 1.2 MB of memory at start-up.)
func validWatchName(name string) bool {
	n := 0
	for i, r := range name {
		n++
		switch {
		case unicode.IsLower(r) || unicode.IsNumber(r):
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return n >= 1 && n <= 32 && utf8.ValidString(name)
}

func (b *bot) watchExists(ctx context.Context, guild, name string) bool {
	_, ok := b.findWatch(ctx, guild, name)
	return ok
}

func (it *interaction) watch() {
	sub := it.i.ApplicationCommandData().Options[0].Name
	switch sub {
	case "list":
		it.watchList()
	case "test":
		it.watchTest()
	case "add":
		if it.mayManage() {
			it.watchAdd()
		}
	case "remove":
		if it.mayManage() {
			it.watchRemove()
		}
	}
}

func (it *interaction) watchAdd() {
	name := strings.ToLower(it.str("name"))
	terms, exclude := splitList(it.str("terms")), splitList(it.str("exclude"))
	var problems []string
	if !validWatchName(name) {
		problems = append(problems, "the name must be 1–32 lower-case letters, digits, - or _")
	}
	for _, w := range it.b.cfg.Watches {
		if w.Name == name {
			problems = append(problems, fmt.Sprintf("%q is a watch of natowatch's configuration file and cannot be changed here", name))
		}
	}
	problems = append(problems, checkTerms("terms", terms, true)...)
	problems = append(problems, checkTerms("exclude", exclude, false)...)
	role := ""
	if o, ok := it.options()["role"]; ok {
		r := o.RoleValue(nil, it.i.GuildID)
		switch {
		case r == nil || r.ID == "":
			problems = append(problems, "the role was not found in this server")
		case r.ID == it.i.GuildID:
			problems = append(problems, "@everyone cannot be a watch's role")
		default:
			role = r.ID
		}
	}
	existing, err := it.b.store.Watches(it.ctx, it.i.GuildID)
	if err != nil {
		it.fail(err)
		return
	}
	replacing := false
	for _, w := range existing {
		replacing = replacing || w.Name == name
	}
	if !replacing && len(existing) >= maxWatchesPerGuild {
		problems = append(problems, fmt.Sprintf("this server has %d watches, the most it may have", len(existing)))
	}
	if len(problems) > 0 {
		it.reply("Watch not saved: "+strings.Join(problems, "; ")+".", true)
		return
	}
	w := state.Watch{GuildID: it.i.GuildID, Name: name, Terms: terms, Exclude: exclude, Role: role, CreatedBy: it.userID()}
	if err := it.b.store.PutWatch(it.ctx, w, it.b.now()); err != nil {
		it.fail(err)
		return
	}
	msg := fmt.Sprintf("Watch “%s” saved: %s.", name, strings.Join(quoteAll(terms), ", "))
	if role != "" {
		msg += " Matching alerts ping <@&" + role + ">."
	}
	it.reply(msg, true)
}

// checkTerms validates watch terms: counts, lengths, and /regex/ syntax.
func checkTerms(what string, terms []string, required bool) []string {
	var problems []string
	if required && len(terms) == 0 {
		problems = append(problems, what+": give at least one")
	}
	if len(terms) > maxTermsPerWatch {
		problems = append(problems, fmt.Sprintf("%s: at most %d", what, maxTermsPerWatch))
	}
	for _, t := range terms {
		if len([]rune(t)) > maxTermLength {
			problems = append(problems, fmt.Sprintf("%s: %q is longer than %d characters", what, notifier.Truncate(t, 30), maxTermLength))
		}
		if err := summary.CheckTerm(t); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", what, err))
		}
	}
	return problems
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "“" + notifier.Escape(s) + "”"
	}
	return out
}

// splitList splits a comma-separated option, dropping empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (it *interaction) watchRemove() {
	name := strings.ToLower(it.str("name"))
	ok, err := it.b.store.DeleteWatch(it.ctx, it.i.GuildID, name)
	if err != nil {
		it.fail(err)
		return
	}
	if !ok {
		it.reply(fmt.Sprintf("There is no watch named %q in this server.", name), true)
		return
	}
	it.reply(fmt.Sprintf("Watch “%s” removed, with the subscriptions filtered by it.", name), true)
}

func (it *interaction) watchList() {
	ws, err := it.b.store.Watches(it.ctx, it.i.GuildID)
	if err != nil {
		it.fail(err)
		return
	}
	var lines []string
	for _, w := range ws {
		line := "**" + notifier.Escape(w.Name) + "**: " + strings.Join(quoteAll(w.Terms), ", ")
		if len(w.Exclude) > 0 {
			line += " (not with " + strings.Join(quoteAll(w.Exclude), ", ") + ")"
		}
		if w.Role != "" {
			line += " → <@&" + w.Role + ">"
		}
		lines = append(lines, line)
	}
	for _, w := range it.b.cfg.Watches {
		lines = append(lines, "**"+notifier.Escape(w.Name)+"** (configuration file, read-only): "+strings.Join(quoteAll(w.Terms), ", "))
	}
	if len(lines) == 0 {
		it.reply("No watches yet: add one with /watch add.", true)
		return
	}
	it.reply(notifier.Truncate(strings.Join(lines, "\n"), notifier.LimitContent), true)
}

func (it *interaction) watchTest() {
	name := strings.ToLower(it.str("name"))
	it.later(true, func() (string, []*discordgo.MessageEmbed) {
		w, ok := it.b.findWatch(it.ctx, it.i.GuildID, name)
		if !ok {
			return fmt.Sprintf("There is no watch named %q here.", name), nil
		}
		m, err := summary.NewMatcher([]summary.Watch{w})
		if err != nil {
			return "That watch cannot be matched: " + err.Error(), nil
		}
		recent, err := it.b.store.Latest(it.ctx, 1000)
		if err != nil {
			it.log.Error("watch test", "err", err)
			return "Something went wrong on natowatch's side.", nil
		}
		since := it.b.now().AddDate(0, 0, -watchTestWindowDays)
		var lines []string
		checked := 0
		for _, st := range recent {
			if st.Release.Published.Before(since) && st.FirstSeen.Before(since) {
				continue
			}
			checked++
			for _, mt := range m.Match(&st.Release) {
				lines = append(lines, fmt.Sprintf("• [%s](%s): %s", notifier.Escape(notifier.Truncate(st.Release.Title, 80)), st.Release.URL,
					notifier.Truncate(notifier.MarkTerm(mt), 200)))
			}
		}
		if len(lines) == 0 {
			return fmt.Sprintf("“%s” would have matched none of the %d releases of the last %d days.", name, checked, watchTestWindowDays), nil
		}
		head := fmt.Sprintf("“%s” would have matched %d of the %d releases of the last %d days:\n", name, len(lines), checked, watchTestWindowDays)
		return notifier.Truncate(head+strings.Join(lines, "\n"), notifier.LimitContent), nil
	})
}

func (b *bot) findWatch(ctx context.Context, guild, name string) (summary.Watch, bool) {
	for _, w := range b.cfg.Watches {
		if w.Name == name {
			return summary.Watch{Name: w.Name, Terms: w.Terms, Exclude: w.Exclude}, true
		}
	}
	ws, err := b.store.Watches(ctx, guild)
	if err != nil {
		return summary.Watch{}, false
	}
	for _, w := range ws {
		if w.Name == name {
			return summary.Watch{Name: w.Name, Terms: w.Terms, Exclude: w.Exclude}, true
		}
	}
	return summary.Watch{}, false
}
