package notifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

func alert() release.Alert {
	return release.Alert{
		Kind: release.KindNew, Source: "nato", URL: "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x",
		Title: "NATO Allies meet @everyone", Type: release.TypePressRelease, Version: 1,
		Published: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
		Summary:   []string{"Allies met in Brussels.", "They agreed on **more** support."},
		Quotes:    []release.Quote{{Text: "We stand together.", Speaker: "NATO Secretary General Mark Rutte"}},
		Matches:   []release.Match{{Watch: "korea", Term: "North Korea", Sentence: "North Korea fired a missile.", Start: 0, End: 11, Role: "112233445566778899"}},
	}
}

func TestSendAndEditWebhookAndChannel(t *testing.T) {
	srv := fakediscord.New(t)
	d, err := notifier.New(notifier.Options{Token: fakediscord.DefaultToken, API: srv.API()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hook := notifier.Target{Webhook: srv.WebhookURL("900000000000000001", "hook-secret")}
	ch := notifier.Target{Channel: "223344556677889900"}
	for _, tg := range []notifier.Target{hook, ch} {
		id, err := d.Send(ctx, tg, alert(), "nonce-1")
		if err != nil {
			t.Fatalf("%s: %v", tg, err)
		}
		if id == "" {
			t.Fatalf("%s: no message id", tg)
		}
		up := alert()
		up.Kind, up.Version = release.KindUpdate, 2
		if err := d.Edit(ctx, tg, id, up); err != nil {
			t.Fatalf("%s: edit: %v", tg, err)
		}
	}
	if r := srv.Rejections(); len(r) != 0 {
		t.Fatalf("Discord rejected: %+v", r)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("messages = %d", len(msgs))
	}
	for _, m := range msgs {
		if len(m.Edits) != 1 {
			t.Errorf("%s: edits = %d", m.Channel, len(m.Edits))
		}
		// The post pinged the role; the edit kept the content and allows no ping.
		if !strings.Contains(string(m.Body), `"roles":["112233445566778899"]`) || m.Content != "<@&112233445566778899>" {
			t.Errorf("%s: post body %s content %q", m.Channel, m.Body, m.Content)
		}
		if strings.Contains(string(m.Edits[0]), "roles") || strings.Contains(string(m.Edits[0]), `"content"`) {
			t.Errorf("%s: the edit could ping: %s", m.Channel, m.Edits[0])
		}
		if !strings.Contains(m.Embeds[0].Author.Name, "Updated") {
			t.Errorf("%s: edited embed not marked updated: %q", m.Channel, m.Embeds[0].Author.Name)
		}
	}
	if msgs[1].Nonce != "nonce-1" {
		t.Errorf("channel message nonce = %q", msgs[1].Nonce)
	}
}

func TestNonceMakesRetrySafe(t *testing.T) {
	srv := fakediscord.New(t)
	d, _ := notifier.New(notifier.Options{Token: fakediscord.DefaultToken, API: srv.API()})
	ch := notifier.Target{Channel: "223344556677889900"}
	srv.DropReplyNext(1)
	if _, err := d.Send(context.Background(), ch, alert(), "n-2"); err == nil {
		t.Fatal("a dropped reply should be an error")
	}
	if _, err := d.Send(context.Background(), ch, alert(), "n-2"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.MessagesIn("223344556677889900")); n != 1 {
		t.Fatalf("messages after a retry with the same nonce = %d, want 1", n)
	}
}

func TestErrorKindsAndRedaction(t *testing.T) {
	srv := fakediscord.New(t)
	d, _ := notifier.New(notifier.Options{Token: fakediscord.DefaultToken, API: srv.API()})
	hook := notifier.Target{Webhook: srv.WebhookURL("900000000000000002", "very-secret-token")}
	var ne *notifier.Error
	for status, want := range map[int]notifier.Kind{500: notifier.Retry, 400: notifier.Rejected} {
		srv.FailNext(1, status)
		_, err := d.Send(context.Background(), hook, alert(), "")
		if !errors.As(err, &ne) || ne.Kind != want || ne.Status != status || notifier.KindOf(err) != want {
			t.Fatalf("%d: %#v", status, err)
		}
	}
	srv.Forbid("900000000000000002", 404)
	_, err := d.Send(context.Background(), hook, alert(), "")
	if !errors.As(err, &ne) || ne.Kind != notifier.Gone {
		t.Fatalf("404: %#v", err)
	}
	if strings.Contains(err.Error(), "very-secret-token") {
		t.Fatalf("token in error: %v", err)
	}
	// A closed server: a network error, retryable, still redacted.
	dead := notifier.Target{Webhook: "http://127.0.0.1:1/api/webhooks/1/other-secret"}
	_, err = d.Send(context.Background(), dead, alert(), "")
	if !errors.As(err, &ne) || ne.Kind != notifier.Retry || strings.Contains(err.Error(), "other-secret") {
		t.Fatalf("network error: %v", err)
	}
	// No bot token: a channel target is refused for good, the token never sent.
	nobot, _ := notifier.New(notifier.Options{API: srv.API()})
	if _, err := nobot.Send(context.Background(), notifier.Target{Channel: "223344556677889900"}, alert(), ""); !errors.As(err, &ne) || ne.Kind != notifier.Rejected {
		t.Fatalf("no token: %v", err)
	}
	if notifier.KindOf(errors.New("some other failure")) != notifier.Retry {
		t.Fatal("an unclassified error must be retried")
	}
}
