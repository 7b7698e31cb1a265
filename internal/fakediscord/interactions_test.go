package fakediscord_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

const (
	guildID   = "6000000000000000001"
	channelID = "6100000000000000001"
	roleID    = "6200000000000000001"
)

var ephemeral = discordgo.MessageFlagsEphemeral

// replyPong answers every interaction with an ephemeral "pong".
func replyPong(s *discordgo.Session, i *discordgo.InteractionCreate) {
	_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "pong", Flags: ephemeral},
	})
}

// subscribeCommand is shaped like natowatch's /subscribe.
func subscribeCommand() *discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageChannels)
	return &discordgo.ApplicationCommand{
		Name: "subscribe", Description: "Post NATO releases in a channel",
		DefaultMemberPermissions: &manage,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where", Required: true,
				ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText}},
			{Type: discordgo.ApplicationCommandOptionString, Name: "type", Description: "Which releases",
				Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Speeches", Value: "speech"}, {Name: "News", Value: "news"}}},
			{Type: discordgo.ApplicationCommandOptionRole, Name: "ping", Description: "Role to mention"},
		},
	}
}

func watchCommand() *discordgo.ApplicationCommand {
	one := 1.0
	return &discordgo.ApplicationCommand{
		Name: "watch", Description: "Keyword watches",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a watch",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Name", Required: true, MaxLength: 32},
					{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many", MinValue: &one, MaxValue: 5},
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "List watches"},
		},
	}
}

func TestInteractionEphemeralReply(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.AddChannel(guildID, channelID)
	srv.AddRole(guildID, roleID, "mods")
	got := make(chan *discordgo.InteractionCreate, 1)
	errs := make(chan error, 1)
	s := openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			got <- i
			d := i.ApplicationCommandData()
			ch := d.GetOption("channel").ChannelValue(s)
			role := d.GetOption("ping").RoleValue(s, i.GuildID)
			errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{
					Content:         "Subscribed " + ch.Mention() + " (" + d.GetOption("type").StringValue() + ", pinging " + role.Name + ")",
					Flags:           ephemeral,
					AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
				},
			})
		})
	})
	cmds, err := s.ApplicationCommandBulkOverwrite(s.State.User.ID, guildID, []*discordgo.ApplicationCommand{subscribeCommand()})
	if err != nil {
		t.Fatal(err)
	}

	in, err := srv.Interact(fakediscord.InteractionSpec{
		GuildID: guildID, ChannelID: channelID, UserID: "77", Username: "alice", Roles: []string{roleID},
		Permissions: discordgo.PermissionManageChannels, Command: "subscribe",
		Options: []fakediscord.InteractionOption{
			{Name: "channel", Value: channelID}, {Name: "type", Value: "speech"}, {Name: "ping", Value: roleID},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	i := recv(t, got, "INTERACTION_CREATE")
	d := i.ApplicationCommandData()
	if i.ID != in.ID || i.Token != in.Token || i.AppID != fakediscord.ApplicationID || i.GuildID != guildID ||
		i.ChannelID != channelID || i.Type != discordgo.InteractionApplicationCommand || i.Locale != discordgo.EnglishUS ||
		i.AppPermissions != fakediscord.DefaultAppPermissions || i.Context != discordgo.InteractionContextGuild {
		t.Errorf("interaction = %+v", i.Interaction)
	}
	if i.Member == nil || i.Member.User.ID != "77" || i.Member.User.Username != "alice" ||
		i.Member.Permissions != discordgo.PermissionManageChannels || len(i.Member.Roles) != 1 || i.User != nil {
		t.Errorf("member = %+v", i.Member)
	}
	if d.ID != cmds[0].ID || d.Name != "subscribe" || d.CommandType != discordgo.ChatApplicationCommand || len(d.Options) != 3 ||
		d.Options[0].Type != discordgo.ApplicationCommandOptionChannel || d.Resolved == nil ||
		d.Resolved.Channels[channelID] == nil || d.Resolved.Roles[roleID] == nil || d.Resolved.Roles[roleID].Name != "mods" {
		t.Errorf("data = %+v", d)
	}
	if err := recv(t, errs, "InteractionRespond"); err != nil {
		t.Fatal(err)
	}

	resp, err := in.Response(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := "Subscribed <#" + channelID + "> (speech, pinging mods)"
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !resp.Ephemeral || resp.Flags != 64 ||
		resp.Content != want || resp.AllowedMentions == nil || resp.Elapsed <= 0 || resp.Elapsed > 3*time.Second {
		t.Errorf("response = %+v", resp)
	}
	orig, ok := in.Original()
	if !ok || orig.Content != want || orig.Flags != 64 || orig.Channel != channelID {
		t.Errorf("original = %+v, %v", orig, ok)
	}
	m, err := s.InteractionResponse(i.Interaction) // GET @original
	if err != nil || m.ID != orig.ID || m.Content != want || m.Flags != discordgo.MessageFlagsEphemeral ||
		m.WebhookID != fakediscord.ApplicationID || m.Author == nil || m.Author.ID != fakediscord.BotUserID {
		t.Errorf("GET @original = %+v, %v", m, err)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("interaction replies among channel messages: %+v", srv.Messages())
	}
	noRejections(t, srv)
}

func TestInteractionDeferredFollowups(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.AddChannel(guildID, channelID)
	type result struct {
		first, second, third *discordgo.Message
		err                  error
	}
	done := make(chan result, 1)
	openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			var r result
			defer func() { done <- r }()
			if r.err = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Flags: ephemeral},
			}); r.err != nil {
				return
			}
			// After a deferral the first follow-up edits the "thinking" message.
			if r.first, r.err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "first"}); r.err != nil {
				return
			}
			if r.second, r.err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{
				Content: "second", Flags: ephemeral}); r.err != nil {
				return
			}
			content := "edited first"
			if _, r.err = s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &content}); r.err != nil {
				return
			}
			content = "edited second"
			if _, r.err = s.FollowupMessageEdit(i.Interaction, r.second.ID, &discordgo.WebhookEdit{Content: &content}); r.err != nil {
				return
			}
			if r.third, r.err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "third"}); r.err != nil {
				return
			}
			r.err = s.FollowupMessageDelete(i.Interaction, r.third.ID)
		})
	})
	if err := srv.SetCommands(guildID, watchCommand()); err != nil {
		t.Fatal(err)
	}
	in, err := srv.Interact(fakediscord.InteractionSpec{GuildID: guildID, ChannelID: channelID, Command: "watch",
		Options: []fakediscord.InteractionOption{{Name: "list"}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := in.Response(5 * time.Second)
	if err != nil || resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !resp.Ephemeral || resp.Content != "" {
		t.Fatalf("response = %+v, %v", resp, err)
	}
	r := recv(t, done, "handler")
	if r.err != nil {
		t.Fatal(r.err)
	}
	orig, ok := in.Original()
	if !ok || r.first.ID != orig.ID || orig.Content != "edited first" || orig.Flags != 64 || len(orig.Edits) != 2 {
		t.Errorf("original = %+v (first follow-up %+v)", orig, r.first)
	}
	fu := in.Followups()
	if len(fu) != 1 || fu[0].ID != r.second.ID || fu[0].Content != "edited second" || fu[0].Flags != 64 || r.second.ID == orig.ID {
		t.Errorf("follow-ups = %+v", fu)
	}
	noRejections(t, srv)
}

func TestInteractionFollowupBeforeAck(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	errs := make(chan error, 1)
	openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			_, err := s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "too early"})
			errs <- err
		})
	})
	in, err := srv.Interact(fakediscord.InteractionSpec{Command: "ping", Unregistered: true}) // in a DM
	if err != nil {
		t.Fatal(err)
	}
	if re := restError(t, recv(t, errs, "follow-up")); re.Response.StatusCode != 404 || re.Message.Code != 10015 {
		t.Errorf("follow-up before ack: %v", re)
	}
	if f := in.Failures(); len(f) != 1 || f[0].Code != 10015 || f[0].Target != "interaction:"+in.ID {
		t.Errorf("failures = %+v", f)
	}
	if in.ChannelID == "" || in.ChannelID != srv.DMChannel(fakediscord.DefaultUserID) {
		t.Errorf("DM interaction in channel %q, DM channel %q", in.ChannelID, srv.DMChannel(fakediscord.DefaultUserID))
	}
}

// respondLate answers after a delay and reports InteractionRespond's error.
func respondLate(delay time.Duration, errs chan<- error) func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		time.Sleep(delay)
		errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "late"},
		})
	}
}

func checkLate(t *testing.T, srv *fakediscord.Server, in *fakediscord.Interaction, err error) {
	t.Helper()
	if re := restError(t, err); re.Response.StatusCode != http.StatusNotFound || re.Message.Code != 10062 || re.Message.Message != "Unknown interaction" {
		t.Errorf("late callback: %v", re)
	}
	_, err = in.Response(time.Second)
	var ce *fakediscord.CallbackError
	if !errors.As(err, &ce) || ce.Rejection.Code != 10062 || !strings.Contains(ce.Rejection.Reason, "deadline") {
		t.Errorf("Response() error = %v", err)
	}
	if f := in.Failures(); len(f) != 1 || f[0].Status != 404 {
		t.Errorf("failures = %+v", f)
	}
	if len(srv.Rejections()) != 1 {
		t.Errorf("rejections = %+v", srv.Rejections())
	}
}

// Discord's 3-second rule, as is (this test takes 3.3s).
func TestInteractionThreeSecondRule(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	errs := make(chan error, 1)
	openBot(t, srv, func(s *discordgo.Session) { s.AddHandler(respondLate(3300*time.Millisecond, errs)) })
	in, err := srv.Interact(fakediscord.InteractionSpec{Command: "ping", Unregistered: true})
	if err != nil {
		t.Fatal(err)
	}
	checkLate(t, srv, in, recv(t, errs, "callback"))
}

func TestInteractionDeadlineOption(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t, fakediscord.WithInteractionDeadline(200*time.Millisecond))
	srv.AddChannel(guildID, channelID)
	errs := make(chan error, 1)
	openBot(t, srv, func(s *discordgo.Session) { s.AddHandler(respondLate(400*time.Millisecond, errs)) })
	in, err := srv.Interact(fakediscord.InteractionSpec{GuildID: guildID, ChannelID: channelID, Command: "ping", Unregistered: true})
	if err != nil {
		t.Fatal(err)
	}
	checkLate(t, srv, in, recv(t, errs, "callback"))
}

func TestInteractionAcknowledgedTwice(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	errs := make(chan error, 2)
	openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			for _, c := range []string{"one", "two"} {
				errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{Content: c},
				})
			}
		})
	})
	in, err := srv.Interact(fakediscord.InteractionSpec{Command: "ping", Unregistered: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := recv(t, errs, "first callback"); err != nil {
		t.Fatal(err)
	}
	if re := restError(t, recv(t, errs, "second callback")); re.Response.StatusCode != 400 || re.Message.Code != 40060 {
		t.Errorf("second callback: %v", re)
	}
	if r, err := in.Response(time.Second); err != nil || r.Content != "one" || r.Ephemeral {
		t.Errorf("response = %+v, %v", r, err)
	}
	if f := in.Failures(); len(f) != 1 || f[0].Code != 40060 {
		t.Errorf("failures = %+v", f)
	}
}

func TestInteractionInvalidCallbacks(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	errs := make(chan error, 4)
	openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			for _, r := range []*discordgo.InteractionResponse{
				{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{}},
				{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{Content: "x"}},
				{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: strings.Repeat("x", 2001)}},
				{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "ok"}},
			} {
				errs <- s.InteractionRespond(i.Interaction, r)
			}
		})
	})
	in, err := srv.Interact(fakediscord.InteractionSpec{Command: "ping", Unregistered: true})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range []int{50006, 50035, 50035} {
		if re := restError(t, recv(t, errs, "callback")); re.Response.StatusCode != 400 || re.Message.Code != want {
			t.Errorf("callback %d: %v, want code %d", k, re, want)
		}
	}
	if err := recv(t, errs, "callback"); err != nil {
		t.Fatal(err)
	}
	if r, err := in.Response(time.Second); err != nil || r.Content != "ok" {
		t.Errorf("response = %+v, %v", r, err)
	}
	f := in.Failures()
	if len(f) != 3 || !strings.Contains(string(f[1].Errors), `"type"`) || !strings.Contains(string(f[2].Errors), `"content"`) {
		for _, x := range f {
			t.Logf("failure %d %s %s", x.Code, x.Reason, x.Errors)
		}
		t.Errorf("%d failures", len(f))
	}
}

func TestInteractChecksOptions(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.AddChannel(guildID, channelID)
	if err := srv.SetCommands(guildID, subscribeCommand(), watchCommand()); err != nil {
		t.Fatal(err)
	}
	got := make(chan *discordgo.InteractionCreate, 4)
	openBot(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	})
	spec := func(cmd string, opts ...fakediscord.InteractionOption) fakediscord.InteractionSpec {
		return fakediscord.InteractionSpec{GuildID: guildID, ChannelID: channelID, Command: cmd, Options: opts}
	}
	o := func(name string, v any, sub ...fakediscord.InteractionOption) fakediscord.InteractionOption {
		return fakediscord.InteractionOption{Name: name, Value: v, Options: sub}
	}
	for _, c := range []struct {
		name string
		spec fakediscord.InteractionSpec
		err  string
	}{
		{"unregistered", spec("nope"), "no CHAT_INPUT command"},
		{"unknown option", spec("subscribe", o("channel", channelID), o("colour", "red")), `"colour" is not in`},
		{"wrong type", spec("subscribe", o("channel", 5)), "does not fit"},
		{"missing required", spec("subscribe", o("type", "news")), `required option "channel"`},
		{"not a choice", spec("subscribe", o("channel", channelID), o("type", "poem")), "not one of its choices"},
		{"no subcommand", spec("watch"), "want exactly one"},
		{"subcommand option missing", spec("watch", o("add", nil)), `required option "add.name"`},
		{"integer not whole", spec("watch", o("add", nil, o("name", "x"), o("count", 1.5))), "does not fit"},
		{"guild without channel", fakediscord.InteractionSpec{GuildID: guildID, Command: "watch"}, "ChannelID"},
	} {
		if _, err := srv.Interact(c.spec); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	in, err := srv.Interact(spec("watch", o("add", nil, o("name", "summit"), o("count", 3))))
	if err != nil {
		t.Fatal(err)
	}
	i := recv(t, got, "interaction")
	sub := i.ApplicationCommandData().Options[0]
	if i.ID != in.ID || sub.Name != "add" || sub.Type != discordgo.ApplicationCommandOptionSubCommand ||
		sub.GetOption("name").StringValue() != "summit" || sub.GetOption("count").IntValue() != 3 {
		t.Errorf("options = %+v", sub)
	}
	var raw struct {
		Data struct {
			GuildID string `json:"guild_id"`
		} `json:"data"`
	}
	if json.Unmarshal(in.Payload, &raw) != nil || raw.Data.GuildID != guildID {
		t.Errorf("payload %s", in.Payload)
	}
	// Unregistered sends anything, typed from the Go values.
	if _, err := srv.Interact(fakediscord.InteractionSpec{GuildID: guildID, ChannelID: channelID, Command: "old", Unregistered: true,
		Options: []fakediscord.InteractionOption{o("n", 2), o("f", 0.5), o("b", true), o("s", "x")}}); err != nil {
		t.Fatal(err)
	}
	opts := recv(t, got, "interaction").ApplicationCommandData().Options
	if len(opts) != 4 || opts[0].IntValue() != 2 || opts[1].FloatValue() != 0.5 || !opts[2].BoolValue() || opts[3].StringValue() != "x" {
		t.Errorf("options = %+v", opts)
	}
}

func TestInteractWithoutGateway(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	if _, err := srv.Interact(fakediscord.InteractionSpec{Command: "ping", Unregistered: true}); err == nil {
		t.Error("Interact without a gateway session succeeded")
	}
	if err := srv.Dispatch("TYPING_START", map[string]any{}); err == nil {
		t.Error("Dispatch without a gateway session succeeded")
	}
}
