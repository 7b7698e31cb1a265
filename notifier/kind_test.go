package notifier_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/notifier"
)

// TestErrorFateSaysWhetherTheRequestLeft: a refused connection is known
// not to have reached Discord; a dropped reply is not (issue 13).
func TestErrorFateSaysWhetherTheRequestLeft(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/api/webhooks/1/secret"
	l.Close()
	d, _ := notifier.New(notifier.Options{})
	_, err = d.Send(context.Background(), notifier.Target{Webhook: refused}, alert(), "")
	var ne *notifier.Error
	if !errors.As(err, &ne) || ne.Fate != notifier.NotSent || ne.Kind != notifier.Retry || notifier.OutcomeUnknown(err) || !strings.Contains(err.Error(), "not sent") {
		t.Fatalf("refused connection: fate %v, kind %v, %v", ne.Fate, ne.Kind, err)
	}
	if !notifier.OutcomeUnknown(errors.New("some other failure")) {
		t.Fatal("an unclassified error must count as unknown")
	}

	srv := fakediscord.New(t)
	d, _ = notifier.New(notifier.Options{API: srv.API()})
	hook := notifier.Target{Webhook: srv.WebhookURL("900000000000000002", "very-secret-token")}
	srv.DropReplyNext(1)
	_, err = d.Send(context.Background(), hook, alert(), "")
	if !errors.As(err, &ne) || ne.Fate != notifier.Unknown || ne.Kind != notifier.Retry || !notifier.OutcomeUnknown(err) {
		t.Fatalf("dropped reply: %v", err)
	}
	srv.FailNext(1, 500)
	_, err = d.Send(context.Background(), hook, alert(), "")
	if !errors.As(err, &ne) || ne.Fate != notifier.Answered || ne.Kind != notifier.Retry || notifier.OutcomeUnknown(err) {
		t.Fatalf("500: %v", err)
	}
}

// TestRemoteErrorPagesAreCut: a proxy's whole HTML error page does not end
// up in the log: one line, a short excerpt (issue 13).
func TestRemoteErrorPagesAreCut(t *testing.T) {
	page := "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n" +
		strings.Repeat("<p>The upstream server is not answering.</p>\n", 500) + "</body>\n</html>\n"
	for _, status := range []int{400, 502} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte(page))
		}))
		d, _ := notifier.New(notifier.Options{})
		_, err := d.Send(context.Background(), notifier.Target{Webhook: srv.URL + "/api/webhooks/1/secret"}, alert(), "")
		srv.Close()
		if err == nil {
			t.Fatalf("%d: no error", status)
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || len(msg) > 410 || !strings.Contains(msg, "Bad Gateway") || strings.Contains(msg, "secret") {
			t.Fatalf("%d: error of %d bytes, not one short line:\n%s", status, len(msg), msg)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"  a\n\tb  ", 10, "a b"},
		{"abcdefghij", 4, "abcd…"},
		{"ééé", 3, "é…"}, // never half a rune
	} {
		if got := notifier.Excerpt(c.in, c.max); got != c.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
