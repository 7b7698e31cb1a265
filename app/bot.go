package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
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
