package app

import (
	"github.com/bwmarrin/discordgo"
)

// Limits that keep one server from hurting the others.
const (
	maxWatchesPerGuild    = 50
	maxSubsPerChannel     = 25
	maxTermsPerWatch      = 20
	maxTermLength         = 100
	watchTestWindowDays   = 30
	manageChannels        = discordgo.PermissionManageChannels
	manageOrAdministrator = discordgo.PermissionManageChannels | discordgo.PermissionAdministrator
)

var typeChoices = []*discordgo.ApplicationCommandOptionChoice{
	{Name: "press release", Value: "press release"},
	{Name: "news", Value: "news"},
	{Name: "speech/transcript", Value: "speech"},
	{Name: "official text", Value: "official text"},
}

// Commands are natowatch's slash commands. Those that change what a
// channel receives need Manage Channels by default (server admins can
// change that, so it is checked again on use).
func Commands() []*discordgo.ApplicationCommand {
	manage := int64(manageChannels)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	str := func(name, desc string, required bool, max int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required, MaxLength: max}
	}
	minOne := float64(1)
	return []*discordgo.ApplicationCommand{
		{Name: "subscribe", Description: "Send NATO release alerts to this channel", DefaultMemberPermissions: &manage, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				str("types", "Only these types, comma-separated: press release, news, speech, official text", false, 200),
				str("watch", "Only releases that match this watch", false, 32),
			}},
		{Name: "unsubscribe", Description: "Stop alerts in this channel", DefaultMemberPermissions: &manage, Contexts: guildOnly},
		{Name: "subscriptions", Description: "What this channel and this server receive", Contexts: guildOnly},
		{Name: "watch", Description: "Watch keywords: mark matching alerts, quote the sentence, ping a role", DefaultMemberPermissions: &manage, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add or replace a watch",
					Options: []*discordgo.ApplicationCommandOption{
						str("name", "A short name, e.g. korea", true, 32),
						str("terms", "Comma-separated phrases; /regex/ for a regular expression", true, 1000),
						{Type: discordgo.ApplicationCommandOptionRole, Name: "role", Description: "Role to ping when it matches"},
						str("exclude", "Comma-separated phrases that veto a match", false, 1000),
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a watch",
					Options: []*discordgo.ApplicationCommandOption{str("name", "The watch's name", true, 32)}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "This server's watches"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "test", Description: "Which releases of the last 30 days a watch would have matched",
					Options: []*discordgo.ApplicationCommandOption{str("name", "The watch's name", true, 32)}},
			}},
		{Name: "latest", Description: "The newest NATO releases",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many (1–5)", MinValue: &minOne, MaxValue: 5},
				{Type: discordgo.ApplicationCommandOptionString, Name: "type", Description: "Only this type", Choices: typeChoices},
			}},
		{Name: "search", Description: "Search stored NATO releases",
			Options: []*discordgo.ApplicationCommandOption{str("query", "Words, or \"a phrase\"", true, 200)}},
		{Name: "status", Description: "Sources, their last checks, the delivery queue"},
		{Name: "follow", Description: "Get a direct message when a release mentions these terms",
			Options: []*discordgo.ApplicationCommandOption{str("terms", "Comma-separated phrases", true, 500)}},
		{Name: "unfollow", Description: "Stop your direct messages"},
	}
}
