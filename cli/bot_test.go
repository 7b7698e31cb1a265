package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
)

const (
	guildID   = "300000000000000001"
	subChan   = "300000000000000002"
	otherChan = "300000000000000003"
	watchRole = "300000000000000004"
)

// TestSlashCommandsEndToEnd drives the real discordgo session of
// `natowatch run` through a fake gateway: commands are registered,
// /subscribe is refused without Manage Channels and accepted with it,
// /watch add with a role makes matching releases ping that role, and new
// releases reach exactly the subscribed channel.
func TestSlashCommandsEndToEnd(t *testing.T) {
	w := newWorld(t, "nato", "", "")
	// No configured channel target for these channels: all comes from commands.
	b, _ := os.ReadFile(w.config)
	cfg := strings.Replace(string(b), "discord:\n", fmt.Sprintf("discord:\n  guilds: [\"%s\"]\n", guildID), 1)
	os.WriteFile(w.config, []byte(cfg), 0o600)
	w.discord.AddGuild(guildID)
	w.discord.AddChannel(guildID, subChan)
	w.discord.AddChannel(guildID, otherChan)
	w.discord.AddRole(guildID, watchRole, "analysts")
	now := time.Now().UTC()
	w.site.Publish(fakenato.Item{Title: "An older release on NATO's eastern flank defences", Date: now.Add(-time.Hour), Paragraphs: plainParagraphs})

	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg   sync.WaitGroup
		code int
		errb syncBuffer
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		code = MainContext(ctx, []string{"--config", w.config, "run"}, &bytes.Buffer{}, &errb, func(k string) string { return w.env[k] })
	}()
	defer func() {
		cancel()
		wg.Wait()
		if t.Failed() {
			t.Logf("logs:\n%s", errb.String())
		}
	}()
	cmds, err := w.discord.WaitCommands(guildID, 9, 20*time.Second)
	if err != nil {
		t.Fatalf("%v: %+v", err, cmds)
	}
	names := map[string]bool{}
	for _, c := range cmds {
		names[c.Name] = true
	}
	for _, n := range []string{"subscribe", "unsubscribe", "subscriptions", "watch", "latest", "search", "status", "follow", "unfollow"} {
		if !names[n] {
			t.Errorf("command /%s not registered", n)
		}
	}
	interact := func(spec fakediscord.InteractionSpec) fakediscord.InteractionResponse {
		t.Helper()
		spec.GuildID = guildID
		if spec.ChannelID == "" {
			spec.ChannelID = subChan
		}
		it, err := w.discord.Interact(spec)
		if err != nil {
			t.Fatalf("/%s: %v", spec.Command, err)
		}
		resp, err := it.Response(5 * time.Second)
		if err != nil {
			t.Fatalf("/%s: %v", spec.Command, err)
		}
		if resp.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			if err := it.Wait(5*time.Second, func(i *fakediscord.Interaction) bool {
				o, ok := i.Original()
				return ok && o.Content+fmt.Sprint(len(o.Embeds)) != "0"
			}); err != nil {
				t.Fatalf("/%s: deferred answer: %v", spec.Command, err)
			}
			o, _ := it.Original()
			resp.Content, resp.Embeds = o.Content, o.Embeds
		}
		return resp
	}
	// Without Manage Channels: refused, nothing changes.
	resp := interact(fakediscord.InteractionSpec{Command: "subscribe", Permissions: 0})
	if !resp.Ephemeral || !strings.Contains(resp.Content, "Manage Channels") {
		t.Fatalf("unprivileged /subscribe: %+v", resp)
	}
	resp = interact(fakediscord.InteractionSpec{Command: "subscriptions"})
	if !strings.Contains(resp.Content, "**This channel:** nothing") {
		t.Fatalf("after a refused /subscribe: %q", resp.Content)
	}
	// The bot may not post in the channel: said so, nothing saved.
	resp = interact(fakediscord.InteractionSpec{Command: "subscribe", Permissions: discordgo.PermissionManageChannels, AppPermissions: -1})
	if !strings.Contains(resp.Content, "may not post here") || !strings.Contains(resp.Content, "Send Messages") {
		t.Fatalf("/subscribe where the bot cannot post: %q", resp.Content)
	}
	// With it: subscribed.
	resp = interact(fakediscord.InteractionSpec{Command: "subscribe", Permissions: discordgo.PermissionManageChannels})
	if !resp.Ephemeral || !strings.HasPrefix(resp.Content, "Subscribed") {
		t.Fatalf("/subscribe: %+v", resp)
	}
	resp = interact(fakediscord.InteractionSpec{Command: "watch", Permissions: discordgo.PermissionManageChannels,
		Options: []fakediscord.InteractionOption{{Name: "add", Options: []fakediscord.InteractionOption{
			{Name: "name", Value: "dprk"}, {Name: "terms", Value: "North Korea, /pyongyang/"}, {Name: "role", Value: watchRole}}}}})
	if !strings.Contains(resp.Content, "saved") || !strings.Contains(resp.Content, "<@&"+watchRole+">") {
		t.Fatalf("/watch add: %+v", resp)
	}
	resp = interact(fakediscord.InteractionSpec{Command: "watch", Permissions: discordgo.PermissionManageChannels,
		Options: []fakediscord.InteractionOption{{Name: "add", Options: []fakediscord.InteractionOption{
			{Name: "name", Value: "bad"}, {Name: "terms", Value: "/(unclosed/"}}}}})
	if !strings.Contains(resp.Content, "not saved") || !strings.Contains(resp.Content, "regular expression") {
		t.Fatalf("/watch add with a bad regex: %+v", resp)
	}

	// A release that matches the watch: the subscribed channel gets it and
	// the role is pinged; the other channel gets nothing.
	w.site.Publish(fakenato.Item{Slug: "allies-condemn-launch", Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	waitFor(t, func() bool { return len(w.discord.MessagesIn(subChan)) == 1 })
	m := w.discord.MessagesIn(subChan)[0]
	if m.Content != "<@&"+watchRole+">" || m.AllowedMentions == nil || len(m.AllowedMentions.Roles) != 1 || m.AllowedMentions.Roles[0] != watchRole {
		t.Errorf("watch ping: content %q, allowed %+v", m.Content, m.AllowedMentions)
	}
	// A release that does not match: delivered, pinging nobody.
	w.site.Publish(fakenato.Item{Slug: "defence-ministers", Title: "NATO Defence Ministers agree on new capability targets", Date: now, Paragraphs: plainParagraphs})
	waitFor(t, func() bool { return len(w.discord.MessagesIn(subChan)) == 2 })
	if m := w.discord.MessagesIn(subChan)[1]; m.Content != "" || len(m.AllowedMentions.Roles) != 0 {
		t.Errorf("an unmatched release pinged: %q %+v", m.Content, m.AllowedMentions)
	}
	if n := len(w.discord.MessagesIn(otherChan)); n != 0 {
		t.Errorf("an unsubscribed channel got %d messages", n)
	}

	// Read-only commands answer, with the embeds alerts use.
	resp = interact(fakediscord.InteractionSpec{Command: "latest", Options: []fakediscord.InteractionOption{{Name: "count", Value: 2}}})
	if len(resp.Embeds) != 2 {
		t.Errorf("/latest: %d embeds", len(resp.Embeds))
	}
	resp = interact(fakediscord.InteractionSpec{Command: "search", Options: []fakediscord.InteractionOption{{Name: "query", Value: "ballistic missile"}}})
	if len(resp.Embeds) != 1 || !strings.Contains(resp.Embeds[0].Fields[0].Name, "North Korea") {
		t.Errorf("/search: %+v", resp.Embeds)
	}
	resp = interact(fakediscord.InteractionSpec{Command: "watch", Options: []fakediscord.InteractionOption{{Name: "test", Options: []fakediscord.InteractionOption{{Name: "name", Value: "dprk"}}}}})
	if !strings.Contains(resp.Content, "would have matched 1 of") {
		t.Errorf("/watch test: %q", resp.Content)
	}
	resp = interact(fakediscord.InteractionSpec{Command: "status"})
	if !strings.Contains(resp.Content, "**nato**") || !strings.Contains(resp.Content, "Delivery queue") || !strings.Contains(resp.Content, "listing via json") {
		t.Errorf("/status: %q", resp.Content)
	}
	// A member's follow: by direct message. Unsubscribe: nothing more
	// arrives in the channel.
	resp = interact(fakediscord.InteractionSpec{Command: "follow", Options: []fakediscord.InteractionOption{{Name: "terms", Value: "Estonia"}}})
	if !strings.HasPrefix(resp.Content, "Following") {
		t.Fatalf("/follow: %q", resp.Content)
	}
	interact(fakediscord.InteractionSpec{Command: "unsubscribe", Permissions: discordgo.PermissionManageChannels})
	w.site.Publish(fakenato.Item{Slug: "third", Title: "NATO Secretary General visits Allied troops in Estonia", Date: now, Paragraphs: plainParagraphs})
	waitFor(t, func() bool { return len(w.discord.MessagesIn("webhook:"+hookID)) == 3 })
	time.Sleep(300 * time.Millisecond)
	if n := len(w.discord.MessagesIn(subChan)); n != 2 {
		t.Errorf("after /unsubscribe the channel got %d messages, want 2", n)
	}
	dm := w.discord.DMChannel(fakediscord.DefaultUserID)
	waitFor(t, func() bool { return len(w.discord.MessagesIn(dm)) == 1 })
	if e := w.discord.MessagesIn(dm)[0].Embeds[0]; !strings.Contains(e.Title, "Estonia") {
		t.Errorf("DM: %q", e.Title)
	}
	// The bot is removed from the server: what it set up is gone.
	if err := w.discord.Dispatch("GUILD_DELETE", map[string]any{"id": guildID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		return strings.Contains(errb.String(), "removed from a server")
	})
	w.noRejections()
	cancel()
	wg.Wait()
	if code != 0 {
		t.Errorf("run exited %d", code)
	}
}
