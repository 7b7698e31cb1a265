package state

import (
	"context"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

func TestSubscriptionsWatchesFollows(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		subs := []Subscription{
			{GuildID: "g1", ChannelID: "c1"},
			{GuildID: "g1", ChannelID: "c1"}, // the same again: one
			{GuildID: "g1", ChannelID: "c2", Types: []string{"speech", "news"}, Watch: "korea"},
			{GuildID: "g2", ChannelID: "c3"},
		}
		for _, sub := range subs {
			if err := s.Subscribe(ctx, sub, t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Subscriptions(ctx, "g1")
		if err != nil || len(got) != 2 || got[1].Watch != "korea" || strings.Join(got[1].Types, ",") != "speech,news" {
			t.Fatalf("g1 subscriptions %+v %v", got, err)
		}
		if all, _ := s.Subscriptions(ctx, ""); len(all) != 3 {
			t.Fatalf("all subscriptions %d", len(all))
		}
		if err := s.PutWatch(ctx, Watch{GuildID: "g1", Name: "korea", Terms: []string{"North Korea", "DPRK"}, Role: "r1"}, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.PutWatch(ctx, Watch{GuildID: "g1", Name: "korea", Terms: []string{"Pyongyang"}, Exclude: []string{"x"}}, t0); err != nil {
			t.Fatal(err)
		}
		ws, _ := s.Watches(ctx, "g1")
		if len(ws) != 1 || ws[0].Terms[0] != "Pyongyang" || ws[0].Exclude[0] != "x" {
			t.Fatalf("watches %+v", ws)
		}
		// Removing a watch removes the subscriptions filtered by it.
		if ok, err := s.DeleteWatch(ctx, "g1", "korea"); !ok || err != nil {
			t.Fatalf("delete watch %v %v", ok, err)
		}
		if got, _ := s.Subscriptions(ctx, "g1"); len(got) != 1 {
			t.Fatalf("after deleting the watch: %+v", got)
		}
		if n, _ := s.Unsubscribe(ctx, "c1"); n != 1 {
			t.Fatalf("unsubscribe removed %d", n)
		}
		s.PutFollow(ctx, Follow{UserID: "u1", Terms: []string{"Ukraine"}}, t0)
		if fs, _ := s.Follows(ctx); len(fs) != 1 || fs[0].Terms[0] != "Ukraine" {
			t.Fatalf("follows %+v", fs)
		}
		if ok, _ := s.DeleteFollow(ctx, "u1"); !ok {
			t.Fatal("unfollow")
		}
		s.PutWatch(ctx, Watch{GuildID: "g2", Name: "w", Terms: []string{"a"}}, t0)
		if err := s.ForgetGuild(ctx, "g2"); err != nil {
			t.Fatal(err)
		}
		if ws, _ := s.Watches(ctx, "g2"); len(ws) != 0 {
			t.Fatal("forgotten guild kept its watches")
		}
		if subs, _ := s.Subscriptions(ctx, "g2"); len(subs) != 0 {
			t.Fatal("forgotten guild kept its subscriptions")
		}
	})
}

func TestSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		put := func(url, title string, body ...string) int64 {
			id, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: url, Title: title, Body: body, Published: t0},
				Keys: []string{"url:" + url}, Fingerprint: "f" + url, Version: 1}, t0)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		put("https://x/1", "Allies condemn missile launch", "North Korea fired a ballistic missile over Japan.")
		put("https://x/2", "Defence ministers meet", "Ministers discussed air defence and the Geoană plan.")
		// An edit re-indexes.
		id3 := put("https://x/3", "Old title", "nothing here")
		if _, err := s.Save(ctx, Put{ID: id3, Release: release.Release{Source: "s", URL: "https://x/3", Title: "Summit declaration", Body: []string{"Allies agree on Ukraine support."}},
			Fingerprint: "g", Version: 2}, t0); err != nil {
			t.Fatal(err)
		}
		cases := map[string]string{
			"missile":             "https://x/1",
			`"ballistic missile"`: "https://x/1",
			"geoana":              "https://x/2", // diacritics folded
			"ukraine":             "https://x/3",
		}
		for q, want := range cases {
			hits, err := s.Search(ctx, q, 5)
			if err != nil || len(hits) == 0 || hits[0].Release.URL != want {
				t.Errorf("search %q: %+v %v", q, hits, err)
				continue
			}
			if !strings.Contains(hits[0].Snippet, "**") {
				t.Errorf("search %q: snippet %q not marked", q, hits[0].Snippet)
			}
		}
		for _, q := range []string{"nothing", "old"} {
			if hits, _ := s.Search(ctx, q, 5); len(hits) != 0 {
				t.Errorf("search %q found the old text of an edited release", q)
			}
		}
		// Nothing a user types can break the query.
		for _, q := range []string{`"`, `AND OR NOT`, `*`, `a:b`, `NEAR(`, `''`, ""} {
			if _, err := s.Search(ctx, q, 5); err != nil {
				t.Errorf("search %q: %v", q, err)
			}
		}
	})
}
