// Package state keeps what natowatch knows between checks: releases and
// their identities, HTTP validators, per-source health, and the outbox of
// alerts waiting to be delivered. It knows the shared release types and
// nothing of scraping or Discord.
package state

import (
	"errors"
	"time"

	"github.com/natowatch/natowatch/release"
)

// ErrNotNatowatch is returned when a state file belongs to something else.
var ErrNotNatowatch = errors.New("not a natowatch state")

// Stored is a release as recorded. Fingerprint is empty for a release that
// was only seen in a listing (recorded on a first run without fetching it).
type Stored struct {
	ID          int64
	Release     release.Release
	Fingerprint string
	Version     int
	FirstSeen   time.Time
	CheckedAt   time.Time
	LastMod     time.Time // the sitemap lastmod last acted on
	Suspect     string    // a fingerprint seen once that shrank the text too much to trust yet
}

// Page is what a re-check needs of a stored release, without its text: its
// page, how old it is, and the validators to ask for the page
// conditionally. Get loads the rest when the page has changed.
type Page struct {
	ID         int64
	URL        string
	Published  time.Time // zero when unknown
	FirstSeen  time.Time
	LastMod    time.Time
	Validators release.Validators
}

// Put is one write of a release: the release, the keys it is known by, the
// validators of its page and the alert to queue, all in one transaction.
type Put struct {
	ID          int64 // 0 for a new release
	Release     release.Release
	Keys        []string
	Fingerprint string
	Version     int
	LastMod     time.Time
	PageURL     string // the fetched URL whose validators are saved with the release
	Validators  release.Validators
	// Alert is queued once for all its Recipients; nil queues nothing.
	// Its Matches are not stored: each recipient has its own.
	Alert      *release.Alert
	Recipients []Recipient
}

// Recipient is a target of an alert with the watch matches it sees.
type Recipient struct {
	Target  release.Target
	Matches []release.Match
}

// Delivery is a queued alert as the delivery worker sees it.
type Delivery struct {
	ID        int64
	ReleaseID int64
	Target    release.Target
	Alert     release.Alert
	Nonce     string
	Attempts  int
	CreatedAt time.Time
}

// SourceHealth is what is known of a source's checks.
type SourceHealth struct {
	Name          string
	FirstCheck    time.Time // zero until the first successful check
	LastCheck     time.Time
	LastSuccess   time.Time
	LastError     string
	FailingSince  time.Time
	ConsecutiveKO int
}

// Counts summarises the outbox.
type Counts struct {
	Pending, Sent, Failed int
}
