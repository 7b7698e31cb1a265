package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/web"
)

// bot answers slash commands through Discord's gateway.
type bot struct {
	cfg     *config.Config
	log     *slog.Logger
	store   botStore
	now     func() time.Time
	session *discordgo.Session
	holder  string // this replica's name in the shards' leases
	version string
	status  func(ctx context.Context) (web.Status, error)

	mu     sync.Mutex
	cancel func() // stops the gateway's connect retries; nil while closed
}

// botStore is what the slash commands need of the store.
type botStore interface {
	Subscriptions(ctx context.Context, guildID string) ([]state.Subscription, error)
	Subscribe(ctx context.Context, sub state.Subscription, now time.Time) error
	Unsubscribe(ctx context.Context, channelID string) (int, error)
	Watches(ctx context.Context, guildID string) ([]state.Watch, error)
	PutWatch(ctx context.Context, w state.Watch, now time.Time) error
	DeleteWatch(ctx context.Context, guildID, name string) (bool, error)
	PutFollow(ctx context.Context, f state.Follow, now time.Time) error
	DeleteFollow(ctx context.Context, userID string) (bool, error)
	ForgetGuild(ctx context.Context, guildID string) error
	ForgetChannel(ctx context.Context, channelID string) error
	Latest(ctx context.Context, n int) ([]state.Stored, error)
	Search(ctx context.Context, query string, limit int) ([]state.SearchHit, error)
	Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
}

// setup prepares the bot's session: intents, shard, and the handlers
// that register the slash commands and answer them until ctx is done.
// open then connects; discordgo reconnects on its own.
func (b *bot) setup(ctx context.Context) {
	s := b.session
	s.Identify.Intents = discordgo.IntentsGuilds // no privileged intents
	if b.cfg.Discord.ShardCount > 0 {            // else one session, or auto_shard sets them
		s.ShardID, s.ShardCount = b.cfg.Discord.ShardID, b.cfg.Discord.ShardCount
	}
	s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
		b.log.Info("connected to Discord", "user", r.User.Username, "guilds", len(r.Guilds), "shard", s.ShardID)
		if err := b.registerCommands(s, r.Application.ID); err != nil {
			b.log.Error("registering slash commands failed", "err", err)
		}
	})
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("slash command panicked", "panic", r)
			}
		}()
		b.onInteraction(ctx, s, i)
	})
	s.AddHandler(func(s *discordgo.Session, g *discordgo.GuildDelete) {
		if g.Unavailable { // an outage, not a removal
			return
		}
		if err := b.store.ForgetGuild(ctx, g.ID); err != nil {
			b.log.Error("forgetting a guild failed", "guild", g.ID, "err", err)
			return
		}
		b.log.Info("removed from a server; its subscriptions and watches are gone", "guild", g.ID)
	})
	s.AddHandler(func(s *discordgo.Session, c *discordgo.ChannelDelete) {
		if err := b.store.ForgetChannel(ctx, c.ID); err != nil {
			b.log.Error("forgetting a channel failed", "channel", c.ID, "err", err)
		}
	})
}

// open connects the prepared session to the gateway; when that fails, it
// tries again in the background (a minute, doubling up to ten) until it
// connects, ctx is done, or close is called.
func (b *bot) open(ctx context.Context) {
	s := b.session
	b.mu.Lock()
	if b.cancel != nil {
		b.mu.Unlock()
		return
	}
	bctx, cancel := context.WithCancel(ctx)
	b.cancel = cancel
	b.mu.Unlock()
	go func() {
		wait := time.Minute
		for {
			err := s.Open()
			if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
				return
			}
			b.log.Error("the bot could not connect to Discord's gateway; alerts still go out, slash commands wait", "err", err, "retry_in", wait)
			select {
			case <-bctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 10*time.Minute)
		}
	}()
}

// close disconnects from the gateway.
func (b *bot) close() {
	b.mu.Lock()
	cancel := b.cancel
	b.cancel = nil
	b.mu.Unlock()
	if cancel != nil {
		cancel()
		b.session.Close()
	}
}

// shardLoop takes a free shard of those Discord recommends for the bot,
// holds it with a lease like the scheduler's, and connects as that shard;
// a replica that finds none free has no gateway until one is.
func (b *bot) shardLoop(ctx context.Context) {
	s := b.session
	defer b.close()
	count := 0
	owned := -1
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		if count == 0 {
			gb, err := s.GatewayBot(discordgo.WithContext(ctx))
			switch {
			case err != nil && ctx.Err() == nil:
				b.log.Error("asking Discord how many shards to run failed", "err", err)
			case err == nil:
				count = max(gb.Shards, 1)
			}
		}
		if owned >= 0 {
			ok, err := b.store.Lead(ctx, fmt.Sprintf("shard:%d/%d", owned, count), b.holder, b.now(), leaseTTL)
			if err != nil || !ok {
				b.log.Warn("lost gateway shard", "shard", owned, "err", err)
				b.close()
				owned = -1
			}
		}
		for i := 0; owned < 0 && i < count; i++ {
			if ok, err := b.store.Lead(ctx, fmt.Sprintf("shard:%d/%d", i, count), b.holder, b.now(), leaseTTL); err == nil && ok {
				owned = i
				s.ShardID, s.ShardCount = i, count
				b.log.Info("this replica runs a gateway shard", "shard", i, "shards", count)
				b.open(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *bot) registerCommands(s *discordgo.Session, appID string) error {
	guilds := b.cfg.Discord.Guilds
	if len(guilds) == 0 {
		guilds = []string{""} // global
	}
	for _, g := range guilds {
		if _, err := s.ApplicationCommandBulkOverwrite(appID, g, Commands()); err != nil {
			return fmt.Errorf("guild %q: %w", g, err)
		}
	}
	b.log.Info("slash commands registered", "guilds", b.cfg.Discord.Guilds)
	return nil
}

// interaction is one slash command being answered.
type interaction struct {
	b   *bot
	s   *discordgo.Session
	i   *discordgo.InteractionCreate
	ctx context.Context
	log *slog.Logger
}

func (b *bot) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) {
	if i.Type != discordgo.InteractionApplicationCommand {
		return
	}
	data := i.ApplicationCommandData()
	it := &interaction{b: b, s: s, i: i, ctx: ctx, log: b.log.With("command", data.Name, "guild", i.GuildID, "channel", i.ChannelID)}
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
