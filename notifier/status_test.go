package notifier

import "testing"

// TestStatusKind: 429 is never final (discordgo waits and retries it
// itself, so only a unit test meets it here).
func TestStatusKind(t *testing.T) {
	for status, want := range map[int]Kind{
		401: Gone, 403: Gone, 404: Gone,
		400: Rejected, 405: Rejected, 413: Rejected,
		429: Retry, 500: Retry, 502: Retry, 503: Retry, 302: Retry,
	} {
		if got := statusKind(status); got != want {
			t.Errorf("statusKind(%d) = %v, want %v", status, got, want)
		}
	}
}
