package fakediscord_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

const app = fakediscord.ApplicationID

func TestCommandsBulkOverwrite(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.AddGuild(guildID)
	s := session(t, srv) // REST only: no gateway needed
	follow := &discordgo.ApplicationCommand{Type: discordgo.UserApplicationCommand, Name: "Follow releases"}
	set := []*discordgo.ApplicationCommand{subscribeCommand(), watchCommand(), follow}

	got, err := s.ApplicationCommandBulkOverwrite(app, "", set)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID == "" || got[0].ApplicationID != app || got[0].Version == "" || got[0].GuildID != "" ||
		got[0].DefaultMemberPermissions == nil || *got[0].DefaultMemberPermissions != discordgo.PermissionManageChannels ||
		got[0].Type != discordgo.ChatApplicationCommand || got[2].Type != discordgo.UserApplicationCommand ||
		len(got[1].Options) != 2 || len(got[1].Options[0].Options) != 2 || got[1].Options[0].Options[1].MaxValue != 5 {
		b, _ := json.Marshal(got)
		t.Fatalf("bulk overwrite answered %s", b)
	}
	stored := srv.Commands("")
	if len(stored) != 3 || stored[0].ID != got[0].ID || stored[0].Name != "subscribe" || len(stored[0].Options[1].Choices) != 2 {
		t.Errorf("Commands(\"\") = %+v", stored)
	}
	listed, err := s.ApplicationCommands(app, "")
	if err != nil || len(listed) != 3 || listed[2].ID != got[2].ID {
		t.Errorf("ApplicationCommands = %+v, %v", listed, err)
	}
	// Overwriting keeps the ids of commands with the same name; the
	// version changes only with the command.
	set[1].Description = "Keyword watches (new)"
	again, err := s.ApplicationCommandBulkOverwrite(app, "", set[:2])
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again[0].ID != got[0].ID || again[0].Version != got[0].Version ||
		again[1].ID != got[1].ID || again[1].Version == got[1].Version || len(srv.Commands("")) != 2 {
		t.Errorf("second overwrite: %+v", again)
	}
	// Per guild.
	g, err := s.ApplicationCommandBulkOverwrite(app, guildID, set[:1])
	if err != nil || len(g) != 1 || g[0].GuildID != guildID || len(srv.Commands(guildID)) != 1 {
		t.Errorf("guild overwrite: %+v, %v", g, err)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(app, guildID, []*discordgo.ApplicationCommand{}); err != nil || len(srv.Commands(guildID)) != 0 {
		t.Errorf("emptying the guild: %v, %d left", err, len(srv.Commands(guildID)))
	}
	noRejections(t, srv)
}

func TestCommandsRefused(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(0, 0)) // a dozen PUTs in a row
	s := session(t, srv)
	if _, err := s.ApplicationCommandBulkOverwrite(app, "", []*discordgo.ApplicationCommand{subscribeCommand()}); err != nil {
		t.Fatal(err)
	}
	opt := func(typ discordgo.ApplicationCommandOptionType, name string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: typ, Name: name, Description: "d", Required: required}
	}
	manyChoices := opt(discordgo.ApplicationCommandOptionString, "kind", false)
	for i := range 26 {
		manyChoices.Choices = append(manyChoices.Choices, &discordgo.ApplicationCommandOptionChoice{Name: "c", Value: string(rune('a' + i))})
	}
	nested := opt(discordgo.ApplicationCommandOptionSubCommand, "add", false)
	nested.Options = []*discordgo.ApplicationCommandOption{opt(discordgo.ApplicationCommandOptionSubCommand, "deeper", false)}
	cmd := func(name string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{Name: name, Description: "A command", Options: opts}
	}
	for _, c := range []struct {
		name string
		set  []*discordgo.ApplicationCommand
		want string // in the errors tree
	}{
		{"uppercase name", []*discordgo.ApplicationCommand{cmd("Subscribe")}, `{"0":{"name":{"_errors":[{"code":"APPLICATION_COMMAND_INVALID_NAME"`},
		{"space in name", []*discordgo.ApplicationCommand{cmd("sub scribe")}, `"APPLICATION_COMMAND_INVALID_NAME"`},
		{"name too long", []*discordgo.ApplicationCommand{cmd(strings.Repeat("a", 33))}, `{"0":{"name":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`},
		{"no description", []*discordgo.ApplicationCommand{{Name: "ping"}}, `{"0":{"description":{"_errors":[{"code":"BASE_TYPE_REQUIRED"`},
		{"description too long", []*discordgo.ApplicationCommand{{Name: "ping", Description: strings.Repeat("d", 101)}}, `"BASE_TYPE_MAX_LENGTH"`},
		{"required after optional", []*discordgo.ApplicationCommand{cmd("ping",
			opt(discordgo.ApplicationCommandOptionString, "a", false), opt(discordgo.ApplicationCommandOptionString, "b", true))},
			`{"0":{"options":{"1":{"required":{"_errors":[{"code":"APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"`},
		{"26 choices", []*discordgo.ApplicationCommand{cmd("ping", manyChoices)}, `{"choices":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 25 or fewer in length."`},
		{"duplicate option", []*discordgo.ApplicationCommand{cmd("ping",
			opt(discordgo.ApplicationCommandOptionString, "a", false), opt(discordgo.ApplicationCommandOptionInteger, "a", false))},
			`"APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS"`},
		{"duplicate command", []*discordgo.ApplicationCommand{cmd("ping"), cmd("ping")}, `{"1":{"name":{"_errors":[{"code":"APPLICATION_COMMANDS_DUPLICATE_NAME"`},
		{"nested subcommand", []*discordgo.ApplicationCommand{cmd("watch", nested)}, `{"0":{"options":{"0":{"options":{"0":`},
		{"subcommand mixed with option", []*discordgo.ApplicationCommand{cmd("watch",
			opt(discordgo.ApplicationCommandOptionSubCommand, "add", false), opt(discordgo.ApplicationCommandOptionString, "x", false))},
			`"APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"`},
		{"26 options", []*discordgo.ApplicationCommand{cmd("ping", func() []*discordgo.ApplicationCommandOption {
			var o []*discordgo.ApplicationCommandOption
			for i := range 26 {
				o = append(o, opt(discordgo.ApplicationCommandOptionString, "o"+string(rune('a'+i)), false))
			}
			return o
		}()...)}, `{"0":{"options":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`},
		{"user command with description", []*discordgo.ApplicationCommand{{Type: discordgo.UserApplicationCommand, Name: "Follow", Description: "x"}},
			`{"0":{"description":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.ApplicationCommandBulkOverwrite(app, "", c.set)
			re := restError(t, err)
			if re.Response.StatusCode != http.StatusBadRequest || re.Message == nil || re.Message.Code != 50035 {
				t.Fatalf("got %v", re)
			}
			var body struct {
				Errors json.RawMessage `json:"errors"`
			}
			_ = json.Unmarshal(re.ResponseBody, &body)
			t.Logf("%s", body.Errors)
			if !strings.Contains(string(body.Errors), c.want) {
				t.Errorf("errors %s\nwant %s", body.Errors, c.want)
			}
		})
	}
	if got := srv.Commands(""); len(got) != 1 || got[0].Name != "subscribe" {
		t.Errorf("refused overwrites changed the commands: %+v", got)
	}

	// A guild the bot is not in, and another application.
	re := restError(t, func() error {
		_, err := s.ApplicationCommandBulkOverwrite(app, "999", []*discordgo.ApplicationCommand{cmd("ping")})
		return err
	}())
	if re.Response.StatusCode != 403 || re.Message.Code != 50001 {
		t.Errorf("unknown guild: %v", re)
	}
	re = restError(t, func() error { _, err := s.ApplicationCommands("123", ""); return err }())
	if re.Response.StatusCode != 403 || re.Message.Code != 50001 {
		t.Errorf("other application: %v", re)
	}
}

func TestCommandCreateEditDelete(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	s := session(t, srv)
	c, err := s.ApplicationCommandCreate(app, "", &discordgo.ApplicationCommand{Name: "latest", Description: "Latest releases"})
	if err != nil || c.ID == "" {
		t.Fatalf("create: %+v, %v", c, err)
	}
	// Creating a command of the same name overwrites it, keeping the id.
	c2, err := s.ApplicationCommandCreate(app, "", &discordgo.ApplicationCommand{Name: "latest", Description: "Newest releases"})
	if err != nil || c2.ID != c.ID || c2.Description != "Newest releases" {
		t.Errorf("second create: %+v, %v", c2, err)
	}
	e, err := s.ApplicationCommandEdit(app, "", c.ID, &discordgo.ApplicationCommand{Name: "latest", Description: "Edited"})
	if err != nil || e.ID != c.ID || e.Description != "Edited" {
		t.Errorf("edit: %+v, %v", e, err)
	}
	_, err = s.ApplicationCommandEdit(app, "", c.ID, &discordgo.ApplicationCommand{Name: "Latest", Description: "Edited"})
	if re := restError(t, err); re.Message.Code != 50035 {
		t.Errorf("bad edit: %v", re)
	}
	if g, err := s.ApplicationCommand(app, "", c.ID); err != nil || g.Description != "Edited" {
		t.Errorf("get: %+v, %v", g, err)
	}
	if err := s.ApplicationCommandDelete(app, "", c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.ApplicationCommand(app, "", c.ID)
	if re := restError(t, err); re.Response.StatusCode != 404 || re.Message.Code != 10063 {
		t.Errorf("get after delete: %v", re)
	}
	if len(srv.Commands("")) != 0 {
		t.Errorf("commands left: %+v", srv.Commands(""))
	}
	if err := srv.SetCommands("", &discordgo.ApplicationCommand{Name: "Bad"}); err == nil {
		t.Error("SetCommands took an invalid command")
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	srv.AddChannel(guildID, channelID)
	srv.AddRole(guildID, roleID, "mods")
	s := session(t, srv)

	roles, err := s.GuildRoles(guildID)
	if err != nil || len(roles) != 2 || roles[0].ID != guildID || roles[0].Name != "@everyone" || roles[1].ID != roleID || roles[1].Name != "mods" {
		t.Errorf("roles = %+v, %v", roles, err)
	}
	if _, err := s.GuildRoles("1"); restError(t, err).Message.Code != 10004 {
		t.Errorf("roles of unknown guild: %v", err)
	}
	ch, err := s.Channel(channelID)
	if err != nil || ch.Type != discordgo.ChannelTypeGuildText || ch.GuildID != guildID {
		t.Errorf("channel = %+v, %v", ch, err)
	}
	if _, err := s.Channel("1"); restError(t, err).Message.Code != 10003 {
		t.Errorf("unknown channel: %v", err)
	}

	dm, err := s.UserChannelCreate("77")
	if err != nil || dm.Type != discordgo.ChannelTypeDM || len(dm.Recipients) != 1 || dm.Recipients[0].ID != "77" {
		t.Fatalf("DM = %+v, %v", dm, err)
	}
	if again, _ := s.UserChannelCreate("77"); again == nil || again.ID != dm.ID || srv.DMChannel("77") != dm.ID {
		t.Errorf("second DM channel %+v, DMChannel %q, want %s", again, srv.DMChannel("77"), dm.ID)
	}
	if _, err := s.ChannelMessageSend(dm.ID, "release alert"); err != nil {
		t.Fatal(err)
	}
	if ms := srv.MessagesIn(srv.DMChannel("77")); len(ms) != 1 || ms[0].Content != "release alert" {
		t.Errorf("DM messages = %+v", ms)
	}
	if c, err := s.Channel(dm.ID); err != nil || c.Type != discordgo.ChannelTypeDM {
		t.Errorf("DM channel = %+v, %v", c, err)
	}
	r := do(t, "POST", srv.API()+"/users/@me/channels", `{"recipient_id":"not a snowflake"}`)
	if r.status != 400 || r.errorBody(t).Code != 50035 {
		t.Errorf("bad recipient: %d %s", r.status, r.body)
	}

	me, err := s.User("@me")
	if err != nil || me.ID != fakediscord.BotUserID || !me.Bot {
		t.Errorf("@me = %+v, %v", me, err)
	}
	if u, err := s.User("77"); err != nil || u.ID != "77" {
		t.Errorf("user 77 = %+v, %v", u, err)
	}
	if _, err := s.User("5"); restError(t, err).Message.Code != 10013 {
		t.Errorf("unknown user: %v", err)
	}
	a, err := s.Application("@me") // GET /oauth2/applications/@me
	if err != nil || a.ID != fakediscord.ApplicationID {
		t.Errorf("application = %+v, %v", a, err)
	}
	r = do(t, "GET", srv.API()+"/applications/@me", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"id":"`+fakediscord.ApplicationID+`"`) {
		t.Errorf("GET /applications/@me: %d %s", r.status, r.body)
	}
	if got := srv.Guilds(); len(got) != 1 || got[0] != guildID {
		t.Errorf("Guilds() = %v", got)
	}
}
