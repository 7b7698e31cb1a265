package app

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

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
	if sub.Watch != "" && !it.b.watchExists(it.ctx, it.i.GuildID, sub.Watch) {
		problems = append(problems, fmt.Sprintf("there is no watch named %q here (see /watch list)", sub.Watch))
	}
	if len(problems) > 0 {
		it.reply("Not subscribed: "+strings.Join(problems, "; ")+".", true)
		return
	}
	existing, err := it.b.store.Subscriptions(it.ctx, it.i.GuildID)
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
	if err := it.b.store.Subscribe(it.ctx, sub, it.b.now()); err != nil {
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
	n, err := it.b.store.Unsubscribe(it.ctx, it.i.ChannelID)
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
	subs, err := it.b.store.Subscriptions(it.ctx, it.i.GuildID)
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
	for _, t := range it.b.cfg.Targets {
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
	if err := it.b.store.PutFollow(it.ctx, state.Follow{UserID: it.userID(), Terms: terms}, it.b.now()); err != nil {
		it.fail(err)
		return
	}
	it.reply("Following "+strings.Join(quoteAll(terms), ", ")+": matching releases come to you by direct message (keep DMs from this server open).", true)
}

func (it *interaction) unfollow() {
	ok, err := it.b.store.DeleteFollow(it.ctx, it.userID())
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
