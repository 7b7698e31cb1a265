package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// setupBot prepares the bot's session: intents, shard, and the handlers
// that register the slash commands and answer them until ctx is done.
// openBot then connects; discordgo reconnects on its own.
func (a *App) setupBot(ctx context.Context, s *discordgo.Session) {
	s.Identify.Intents = discordgo.IntentsGuilds // no privileged intents
	if a.cfg.Discord.ShardCount > 0 {            // else one session, or auto_shard sets them
		s.ShardID, s.ShardCount = a.cfg.Discord.ShardID, a.cfg.Discord.ShardCount
	}
	s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
		a.log.Info("connected to Discord", "user", r.User.Username, "guilds", len(r.Guilds), "shard", s.ShardID)
		if err := a.registerCommands(s, r.Application.ID); err != nil {
			a.log.Error("registering slash commands failed", "err", err)
		}
	})
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("slash command panicked", "panic", r)
			}
		}()
		a.onInteraction(ctx, s, i)
	})
	s.AddHandler(func(s *discordgo.Session, g *discordgo.GuildDelete) {
		if g.Unavailable { // an outage, not a removal
			return
		}
		if err := a.store.ForgetGuild(ctx, g.ID); err != nil {
			a.log.Error("forgetting a guild failed", "guild", g.ID, "err", err)
			return
		}
		a.log.Info("removed from a server; its subscriptions and watches are gone", "guild", g.ID)
	})
	s.AddHandler(func(s *discordgo.Session, c *discordgo.ChannelDelete) {
		if err := a.store.ForgetChannel(ctx, c.ID); err != nil {
			a.log.Error("forgetting a channel failed", "channel", c.ID, "err", err)
		}
	})
}

// openBot connects the prepared session to the gateway; when that fails,
// it tries again in the background (a minute, doubling up to ten) until
// it connects, ctx is done, or closeBot is called.
func (a *App) openBot(ctx context.Context, s *discordgo.Session) {
	a.mu.Lock()
	if a.botCancel != nil {
		a.mu.Unlock()
		return
	}
	bctx, cancel := context.WithCancel(ctx)
	a.botCancel = cancel
	a.mu.Unlock()
	go func() {
		wait := time.Minute
		for {
			err := s.Open()
			if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
				return
			}
			a.log.Error("the bot could not connect to Discord's gateway; alerts still go out, slash commands wait", "err", err, "retry_in", wait)
			select {
			case <-bctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 10*time.Minute)
		}
	}()
}

// closeBot disconnects from the gateway.
func (a *App) closeBot(s *discordgo.Session) {
	a.mu.Lock()
	cancel := a.botCancel
	a.botCancel = nil
	a.mu.Unlock()
	if cancel != nil {
		cancel()
		s.Close()
	}
}

func (a *App) registerCommands(s *discordgo.Session, appID string) error {
	guilds := a.cfg.Discord.Guilds
	if len(guilds) == 0 {
		guilds = []string{""} // global
	}
	for _, g := range guilds {
		if _, err := s.ApplicationCommandBulkOverwrite(appID, g, Commands()); err != nil {
			return fmt.Errorf("guild %q: %w", g, err)
		}
	}
	a.log.Info("slash commands registered", "guilds", a.cfg.Discord.Guilds)
	return nil
}

// interaction is one slash command being answered.
type interaction struct {
	a   *App
	s   *discordgo.Session
	i   *discordgo.InteractionCreate
	ctx context.Context
	log *slog.Logger
}

func (a *App) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) {
	if i.Type != discordgo.InteractionApplicationCommand {
		return
	}
	data := i.ApplicationCommandData()
	it := &interaction{a: a, s: s, i: i, ctx: ctx, log: a.log.With("command", data.Name, "guild", i.GuildID, "channel", i.ChannelID)}
	it.log.Info("slash command", "user", it.userID())
	switch data.Name {
	case "subscribe":
		it.subscribe()
	case "unsubscribe":
		it.unsubscribe()
	case "subscriptions":
		it.subscriptions()
	case "watch":
		it.watch()
	case "latest":
		it.latest()
	case "search":
		it.search()
	case "status":
		it.status()
	case "follow":
		it.follow()
	case "unfollow":
		it.unfollow()
	default:
		it.reply("Unknown command.", true)
	}
}

func (it *interaction) userID() string {
	if it.i.Member != nil && it.i.Member.User != nil {
		return it.i.Member.User.ID
	}
	if it.i.User != nil {
		return it.i.User.ID
	}
	return ""
}

// mayManage checks Manage Channels (or Administrator) from the member's
// permissions in this channel: server admins can override the default.
func (it *interaction) mayManage() bool {
	if it.i.Member == nil || it.i.Member.Permissions&manageOrAdministrator == 0 {
		it.reply("You need the Manage Channels permission for this.", true)
		return false
	}
	return true
}

var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func (it *interaction) reply(content string, ephemeral bool, embeds ...*discordgo.MessageEmbed) {
	data := &discordgo.InteractionResponseData{Content: content, Embeds: embeds, AllowedMentions: noMentions}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := it.s.InteractionRespond(it.i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}, discordgo.WithContext(it.ctx))
	if err != nil {
		it.log.Error("answering a slash command failed", "err", err)
	}
}

// later acknowledges now and answers with the result of work, for commands
// that may take longer than Discord's three seconds.
func (it *interaction) later(ephemeral bool, work func() (string, []*discordgo.MessageEmbed)) {
	data := &discordgo.InteractionResponseData{}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	if err := it.s.InteractionRespond(it.i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}, discordgo.WithContext(it.ctx)); err != nil {
		it.log.Error("deferring a slash command failed", "err", err)
		return
	}
	content, embeds := work()
	if _, err := it.s.InteractionResponseEdit(it.i.Interaction, &discordgo.WebhookEdit{
		Content: &content, Embeds: &embeds, AllowedMentions: noMentions}, discordgo.WithContext(it.ctx)); err != nil {
		it.log.Error("answering a deferred slash command failed", "err", err)
	}
}

func (it *interaction) options() map[string]*discordgo.ApplicationCommandInteractionDataOption {
	opts := it.i.ApplicationCommandData().Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		opts = opts[0].Options
	}
	m := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range opts {
		m[o.Name] = o
	}
	return m
}

func (it *interaction) str(name string) string {
	if o, ok := it.options()[name]; ok {
		return strings.TrimSpace(o.StringValue())
	}
	return ""
}

func (it *interaction) fail(err error) {
	it.log.Error("slash command failed", "err", err)
	it.reply("Something went wrong on natowatch's side; the operator can see it in the logs.", true)
}

// — /subscribe, /unsubscribe, /subscriptions —

func (it *interaction) subscribe() {
	if !it.mayManage() {
		return
	}
	sub := state.Subscription{GuildID: it.i.GuildID, ChannelID: it.i.ChannelID, CreatedBy: it.userID(), Watch: strings.ToLower(it.str("watch"))}
	var problems []string
	if t := it.str("types"); t != "" {
		for _, part := range splitList(t) {
			rt, ok := release.ParseType(part)
			if !ok {
				problems = append(problems, fmt.Sprintf("%q is not a release type (press release, news, speech, official text)", part))
				continue
			}
			sub.Types = append(sub.Types, string(rt))
		}
	}
	if sub.Watch != "" && !it.a.watchExists(it.ctx, it.i.GuildID, sub.Watch) {
		problems = append(problems, fmt.Sprintf("there is no watch named %q here (see /watch list)", sub.Watch))
	}
	if len(problems) > 0 {
		it.reply("Not subscribed: "+strings.Join(problems, "; ")+".", true)
		return
	}
	existing, err := it.a.store.Subscriptions(it.ctx, it.i.GuildID)
	if err != nil {
		it.fail(err)
		return
	}
	n := 0
	for _, s := range existing {
		if s.ChannelID == it.i.ChannelID {
			n++
		}
	}
	if n >= maxSubsPerChannel {
		it.reply(fmt.Sprintf("This channel has %d subscriptions already, the most it may have.", n), true)
		return
	}
	if missing := missingPermissions(it.i.AppPermissions); missing != "" {
		it.reply("Not subscribed: natowatch may not post here. Give it "+missing+" in this channel, then try again.", true)
		return
	}
	if err := it.a.store.Subscribe(it.ctx, sub, it.a.now()); err != nil {
		it.fail(err)
		return
	}
	it.reply("Subscribed: this channel gets "+describeSub(sub)+".", true)
}

// missingPermissions names what the bot lacks in a channel to post alerts,
// from the interaction's app_permissions ("" when all is there).
func missingPermissions(p int64) string {
	if p&discordgo.PermissionAdministrator != 0 {
		return ""
	}
	var missing []string
	for _, need := range []struct {
		bit  int64
		name string
	}{
		{discordgo.PermissionViewChannel, "View Channel"},
		{discordgo.PermissionSendMessages, "Send Messages"},
		{discordgo.PermissionEmbedLinks, "Embed Links"},
	} {
		if p&need.bit == 0 {
			missing = append(missing, need.name)
		}
	}
	return strings.Join(missing, ", ")
}

func describeSub(s state.Subscription) string {
	what := "every new or updated NATO release"
	if len(s.Types) > 0 {
		var labels []string
		for _, t := range s.Types {
			labels = append(labels, strings.ToLower(release.Type(t).Label()))
		}
		what = strings.Join(labels, ", ") + " releases"
	}
	if s.Watch != "" {
		what += " matching the watch “" + s.Watch + "”"
	}
	return what
}

func (it *interaction) unsubscribe() {
	if !it.mayManage() {
		return
	}
	n, err := it.a.store.Unsubscribe(it.ctx, it.i.ChannelID)
	if err != nil {
		it.fail(err)
		return
	}
	if n == 0 {
		it.reply("This channel had no subscription.", true)
		return
	}
	it.reply("Unsubscribed: this channel gets no more alerts.", true)
}

func (it *interaction) subscriptions() {
	subs, err := it.a.store.Subscriptions(it.ctx, it.i.GuildID)
	if err != nil {
		it.fail(err)
		return
	}
	var here, there []string
	for _, s := range subs {
		line := "<#" + s.ChannelID + ">: " + describeSub(s)
		if s.ChannelID == it.i.ChannelID {
			here = append(here, line)
		} else {
			there = append(there, line)
		}
	}
	for _, t := range it.a.cfg.Targets {
		if t.Channel == it.i.ChannelID {
			here = append(here, "set in natowatch's configuration file (read-only)")
		}
	}
	var b strings.Builder
	b.WriteString("**This channel:** ")
	if len(here) == 0 {
		b.WriteString("nothing.\n")
	} else {
		b.WriteString("\n" + strings.Join(here, "\n") + "\n")
	}
	b.WriteString("**Elsewhere in this server:** ")
	if len(there) == 0 {
		b.WriteString("nothing.")
	} else {
		b.WriteString("\n" + strings.Join(there, "\n"))
	}
	it.reply(notifier.Truncate(b.String(), notifier.LimitContent), true)
}

// — /watch —

var watchName = regexp.MustCompile(`^[\p{Ll}\p{N}][\p{Ll}\p{N}_-]{0,31}$`)

func (a *App) watchExists(ctx context.Context, guild, name string) bool {
	for _, w := range a.cfg.Watches {
		if w.Name == name {
			return true
		}
	}
	ws, err := a.store.Watches(ctx, guild)
	if err != nil {
		return false
	}
	for _, w := range ws {
		if w.Name == name {
			return true
		}
	}
	return false
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
	if !watchName.MatchString(name) {
		problems = append(problems, "the name must be 1–32 lower-case letters, digits, - or _")
	}
	for _, w := range it.a.cfg.Watches {
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
	existing, err := it.a.store.Watches(it.ctx, it.i.GuildID)
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
	if err := it.a.store.PutWatch(it.ctx, w, it.a.now()); err != nil {
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
	ok, err := it.a.store.DeleteWatch(it.ctx, it.i.GuildID, name)
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
	ws, err := it.a.store.Watches(it.ctx, it.i.GuildID)
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
	for _, w := range it.a.cfg.Watches {
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
		w, ok := it.a.findWatch(it.ctx, it.i.GuildID, name)
		if !ok {
			return fmt.Sprintf("There is no watch named %q here.", name), nil
		}
		m, err := summary.NewMatcher([]summary.Watch{w})
		if err != nil {
			return "That watch cannot be matched: " + err.Error(), nil
		}
		recent, err := it.a.store.Latest(it.ctx, 1000)
		if err != nil {
			it.log.Error("watch test", "err", err)
			return "Something went wrong on natowatch's side.", nil
		}
		since := it.a.now().AddDate(0, 0, -watchTestWindowDays)
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

func (a *App) findWatch(ctx context.Context, guild, name string) (summary.Watch, bool) {
	for _, w := range a.cfg.Watches {
		if w.Name == name {
			return summary.Watch{Name: w.Name, Terms: w.Terms, Exclude: w.Exclude}, true
		}
	}
	ws, err := a.store.Watches(ctx, guild)
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

// — /latest, /search, /status —

func (it *interaction) latest() {
	n := 3
	if o, ok := it.options()["count"]; ok {
		n = min(max(int(o.IntValue()), 1), 5)
	}
	want, _ := release.ParseType(it.str("type"))
	it.later(false, func() (string, []*discordgo.MessageEmbed) {
		all, err := it.a.store.Latest(it.ctx, 200)
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
			e := toEmbed(notifier.Build(it.a.buildAlert(&st.Release, release.KindNew, st.Version, nil, mustMatcher(nil))).Embeds[0])
			if size := embedSize(e); total+size > notifier.LimitEmbedTotal {
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
		hits, err := it.a.store.Search(it.ctx, q, 5)
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
	var lines []string
	for _, src := range it.a.cfg.Sources {
		h, err := it.a.store.Health(it.ctx, src.Name)
		if err != nil {
			it.fail(err)
			return
		}
		a := it.a
		a.mu.Lock()
		if t := a.lastOK[src.Name]; t.After(h.LastSuccess) {
			h.LastSuccess = t
		}
		a.mu.Unlock()
		lastCheck := h.LastCheck
		if h.LastSuccess.After(lastCheck) {
			lastCheck = h.LastSuccess
		}
		line := fmt.Sprintf("**%s** (%s): last check %s, last success %s", notifier.Escape(src.Name), src.Type,
			ago(lastCheck), ago(h.LastSuccess))
		if h.LastError != "" {
			line += fmt.Sprintf("; failing since %s: %s", ago(h.FailingSince), notifier.Escape(notifier.Truncate(firstLine(h.LastError), 200)))
		}
		lines = append(lines, line)
	}
	c, err := it.a.store.Outbox(it.ctx)
	if err != nil {
		it.fail(err)
		return
	}
	lines = append(lines, fmt.Sprintf("Delivery queue: %d waiting, %d failed, %d sent.", c.Pending, c.Failed, c.Sent))
	lines = append(lines, "natowatch "+it.a.version)
	it.reply(notifier.Truncate(strings.Join(lines, "\n"), notifier.LimitContent), true)
}

// ago shows a time as Discord's relative timestamp ("5 minutes ago").
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("<t:%d:R>", t.Unix())
}

// — /follow, /unfollow —

func (it *interaction) follow() {
	terms := splitList(it.str("terms"))
	if problems := checkTerms("terms", terms, true); len(problems) > 0 {
		it.reply("Not followed: "+strings.Join(problems, "; ")+".", true)
		return
	}
	if len(terms) > 10 {
		it.reply("Not followed: at most 10 terms.", true)
		return
	}
	if err := it.a.store.PutFollow(it.ctx, state.Follow{UserID: it.userID(), Terms: terms}, it.a.now()); err != nil {
		it.fail(err)
		return
	}
	it.reply("Following "+strings.Join(quoteAll(terms), ", ")+": matching releases come to you by direct message (keep DMs from this server open).", true)
}

func (it *interaction) unfollow() {
	ok, err := it.a.store.DeleteFollow(it.ctx, it.userID())
	if err != nil {
		it.fail(err)
		return
	}
	if !ok {
		it.reply("You were not following anything.", true)
		return
	}
	it.reply("Unfollowed: no more direct messages.", true)
}

// toEmbed converts natowatch's embed into discordgo's (the JSON is the same).
func toEmbed(e notifier.Embed) *discordgo.MessageEmbed {
	b, _ := json.Marshal(e)
	var out discordgo.MessageEmbed
	if err := json.Unmarshal(b, &out); err != nil {
		return &discordgo.MessageEmbed{Title: e.Title, URL: e.URL, Description: e.Description}
	}
	return &out
}

func embedSize(e *discordgo.MessageEmbed) int {
	n := len([]rune(e.Title)) + len([]rune(e.Description))
	if e.Footer != nil {
		n += len([]rune(e.Footer.Text))
	}
	if e.Author != nil {
		n += len([]rune(e.Author.Name))
	}
	for _, f := range e.Fields {
		n += len([]rune(f.Name)) + len([]rune(f.Value))
	}
	return n
}
