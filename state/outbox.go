package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

// An alert queued for several targets (a release's fan-out) is stored
// once, in alerts, without its watch matches; each outbox row names its
// alert and holds its target's matches. alerts.waiting counts the rows not
// yet sent; a trigger on outbox (outbox_sent) counts down as rows are sent
// and deletes the alert after the last, so a delivered row keeps only what
// is read of it later (target, message id, status), and the store only the
// alerts of rows waiting or failed (FailedDeliveries shows their URL).

// The queue's statements: insert an alert returning its id (release_id,
// alert, waiting); insert an outbox row (release_id, version, target, kind,
// alert_id, matches, nonce, now) doing nothing on conflict; set an alert's
// waiting rows (id, waiting); delete an alert (id).
var (
	sqQueueAlert = shared(`INSERT INTO alerts (release_id, alert, waiting) VALUES (P1, P2, P3) RETURNING id`).hot()
	sqQueueRow   = shared(`INSERT INTO outbox (release_id, version, target, kind, alert_id, matches, nonce, next_at, created_at)
		VALUES (P1, P2, P3, P4, P5, P6, P7, P8, P8) ON CONFLICT (release_id, version, target) DO NOTHING`).hot()
	sqQueueWaiting = shared(`UPDATE alerts SET waiting = P2 WHERE id = P1`)
	sqQueueDrop    = shared(`DELETE FROM alerts WHERE id = P1`)
)

// queueAlert queues alert for release id and its recipients, in the
// release's transaction: the alert once, and an outbox row per recipient
// with its matches.
func queueAlert(ctx context.Context, c conn, id int64, alert *release.Alert, to []Recipient, now time.Time) error {
	if alert == nil || len(to) == 0 {
		return nil
	}
	common := *alert
	common.Matches = nil
	b, err := json.Marshal(common)
	if err != nil {
		return fmt.Errorf("state: save alert: %w", err)
	}
	var alertID int64
	if err := c.row(ctx, sqQueueAlert, id, string(b), len(to)).Scan(&alertID); err != nil {
		return fmt.Errorf("state: queue alert: %w", err)
	}
	queued := 0
	for _, r := range to {
		var matches string // "" for none
		if len(r.Matches) > 0 {
			m, err := json.Marshal(r.Matches)
			if err != nil {
				return fmt.Errorf("state: save alert: %w", err)
			}
			matches = string(m)
		}
		res, err := c.exec(ctx, sqQueueRow, id, alert.Version, r.Target.Key(), string(alert.Kind), alertID, matches, newNonce(), ms(now))
		if err != nil {
			return fmt.Errorf("state: queue alert: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k > 0 {
			queued++
		}
	}
	// Rows queued already (a save done again) do not wait for it.
	switch {
	case queued == 0:
		_, err = c.exec(ctx, sqQueueDrop, alertID)
	case queued < len(to):
		_, err = c.exec(ctx, sqQueueWaiting, alertID, queued)
	}
	if err != nil {
		return fmt.Errorf("state: queue alert: %w", err)
	}
	return nil
}

// deliveryCols are the columns every delivery query selects of outbox (not
// aliased: SQLite's RETURNING takes no alias), for scanDelivery.
const deliveryCols = `outbox.id, outbox.release_id, outbox.target, (SELECT alert FROM alerts WHERE alerts.id = outbox.alert_id),
	outbox.matches, outbox.nonce, outbox.attempts, outbox.created_at`

// claimQuery takes due rows for a holder; LOCK is where PostgreSQL skips
// rows another replica is claiming.
const claimQuery = `UPDATE outbox SET claimed_by = P1, claim_until = P2 WHERE id IN (
		SELECT id FROM outbox WHERE status = 'pending' AND next_at <= P3 AND (claim_until < P3 OR claimed_by = P1)
		ORDER BY id LIMIT P4 LOCK)
	RETURNING ` + deliveryCols

// storedTarget is the target an outbox row names. A key that is not a
// target's (none is written so) is kept whole, with no Kind: the
// deliverer gives its row up rather than every claim failing.
func storedTarget(key string) release.Target {
	t, err := release.ParseTarget(key)
	if err != nil {
		return release.Target{ID: key}
	}
	return t
}

// scanDelivery reads a row of deliveryCols.
func scanDelivery(rows *sql.Rows) (Delivery, error) {
	var (
		d       Delivery
		target  string
		alert   sql.NullString
		matches string
		created int64
	)
	err := rows.Scan(&d.ID, &d.ReleaseID, &target, &alert, &matches, &d.Nonce, &d.Attempts, &created)
	if err != nil {
		return d, err
	}
	d.Target = storedTarget(target)
	if err := json.Unmarshal([]byte(alert.String), &d.Alert); err != nil {
		return d, fmt.Errorf("delivery %d: corrupt alert: %w", d.ID, err)
	}
	if matches != "" {
		if err := json.Unmarshal([]byte(matches), &d.Alert.Matches); err != nil {
			return d, fmt.Errorf("delivery %d: corrupt matches: %w", d.ID, err)
		}
	}
	d.CreatedAt = fromMS(created)
	return d, nil
}

var (
	// Replicas claim with FOR UPDATE SKIP LOCKED, so none waits for another.
	sqClaim = query{
		sqlite: strings.Replace(placeholders(claimQuery, "?"), "LOCK", "", 1),
		pg:     strings.Replace(placeholders(claimQuery, "$"), "LOCK", "FOR UPDATE SKIP LOCKED", 1),
	}.hot()
	sqDue = shared(`SELECT ` + deliveryCols + `
		FROM outbox WHERE status = 'pending' AND next_at <= P1 ORDER BY id LIMIT P2`).hot()
	sqPendingBefore = shared(`SELECT EXISTS (SELECT 1 FROM outbox WHERE target = P1 AND status = 'pending' AND id < P2)`).hot()
	// A delivered row keeps no alert (outbox_sent counts it out of its
	// alert's waiting rows).
	sqMarkSent = shared(`UPDATE outbox SET status = 'sent', message_id = P1, sent_at = P2, attempts = attempts + 1, last_error = '',
		alert_id = NULL, matches = '' WHERE id = P3`).hot()
	sqMarkRetry    = shared(`UPDATE outbox SET attempts = attempts + 1, last_error = P1, next_at = P2 WHERE id = P3`).hot()
	sqMarkFailed   = shared(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = P1 WHERE id = P2`).hot()
	sqFirstMessage = query{
		// +status: found by release (outbox's unique index), not among
		// every row ever sent (outbox_due), which SQLite picks without
		// statistics.
		sqlite: `SELECT message_id FROM outbox WHERE release_id = ? AND target = ? AND kind = 'new' AND +status = 'sent'
			ORDER BY id LIMIT 1`,
		pg: `SELECT message_id FROM outbox WHERE release_id = $1 AND target = $2 AND kind = 'new' AND status = 'sent'
			ORDER BY id LIMIT 1`,
	}.hot()
	sqOutbox = query{
		sqlite: `SELECT
			coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'sent'), 0), coalesce(sum(status = 'failed'), 0) FROM outbox`,
		pg: `SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent'),
			count(*) FILTER (WHERE status = 'failed') FROM outbox`,
	}.hot()
	sqTargets = query{
		sqlite: `SELECT DISTINCT target FROM outbox WHERE release_id = ? AND status != 'failed'`,
		pg: `SELECT target FROM outbox WHERE release_id = $1 AND status <> 'failed'
			GROUP BY target ORDER BY min(id)`,
	}.hot()
	// A claim let go of: any process may take the row when it is due.
	sqUnclaim = query{
		sqlite: `UPDATE outbox SET claimed_by = '', claim_until = 0
			WHERE claimed_by = ? AND status = 'pending' AND id IN (SELECT value FROM json_each(?))`,
		pg: `UPDATE outbox SET claimed_by = '', claim_until = 0
			WHERE claimed_by = $1 AND status = 'pending' AND id IN (SELECT value::bigint FROM jsonb_array_elements_text($2::jsonb))`,
	}
	sqFailed = shared(`SELECT o.id, o.target, coalesce(a.alert, ''), r.url, o.last_error
		FROM outbox o LEFT JOIN alerts a ON a.id = o.alert_id JOIN releases r ON r.id = o.release_id
		WHERE o.status = 'failed' ORDER BY o.id DESC LIMIT P1`)
)

// Due returns pending deliveries whose time has come, oldest first.
func (s *outboxStore) Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	return queryAll(ctx, s.conn, "due", scanDelivery, sqDue, ms(now), s.conn.limit(limit))
}

// Claim takes up to limit due deliveries for holder until now+lease,
// oldest first: rows another holder claimed are skipped until their claim
// runs out (so a replica that died mid-send leaves them to the others,
// nonce and all).
func (s *outboxStore) Claim(ctx context.Context, holder string, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	out, err := queryAll(ctx, s.conn, "claim", scanDelivery, sqClaim, holder, ms(now.Add(lease)), ms(now), limit)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID }) // RETURNING has no order
	return out, err
}

// PendingBefore reports whether target has a pending delivery older than id,
// so that a later alert never overtakes an earlier one in a channel.
func (s *outboxStore) PendingBefore(ctx context.Context, target release.Target, id int64) (bool, error) {
	var pending bool
	err := s.conn.row(ctx, sqPendingBefore, target.Key(), id).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("state: pending: %w", err)
	}
	return pending, nil
}

// Unclaim lets go of holder's claims on the deliveries ids that are still
// pending (those not sent this pass, or retried later), so that the next
// process to deliver need not wait for the claims to run out.
func (s *outboxStore) Unclaim(ctx context.Context, holder string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("state: unclaim: %w", err)
	}
	return s.conn.do(ctx, "unclaim", sqUnclaim, holder, string(list))
}

// MarkSent records a delivered alert and the message id Discord gave it;
// the row keeps no copy of the alert.
func (s *outboxStore) MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error {
	return s.conn.do(ctx, "mark sent", sqMarkSent, messageID, ms(now), id)
}

// MarkRetry records a failed attempt and when to try again.
func (s *outboxStore) MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error {
	return s.conn.do(ctx, "mark retry", sqMarkRetry, cause, ms(next), id)
}

// MarkFailed gives a delivery up.
func (s *outboxStore) MarkFailed(ctx context.Context, id int64, cause string) error {
	return s.conn.do(ctx, "mark failed", sqMarkFailed, cause, id)
}

// FirstMessage returns the message id of the first alert of a release that
// was delivered to target, or "" when there is none.
func (s *outboxStore) FirstMessage(ctx context.Context, releaseID int64, target release.Target) (string, error) {
	var id string
	err := s.conn.row(ctx, sqFirstMessage, releaseID, target.Key()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: first message: %w", err)
	}
	return id, nil
}

// Outbox counts deliveries by status.
func (s *outboxStore) Outbox(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.conn.row(ctx, sqOutbox).Scan(&c.Pending, &c.Sent, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("state: outbox: %w", err)
	}
	return c, nil
}

// FailedDeliveries lists given-up deliveries, newest first, for operators.
func (s *outboxStore) FailedDeliveries(ctx context.Context, limit int) ([]string, error) {
	return queryAll(ctx, s.conn, "failed deliveries", scanFailed, sqFailed, s.conn.limit(limit))
}

// scanFailed reads a row of sqFailed as "target URL: cause".
func scanFailed(rows *sql.Rows) (string, error) {
	var (
		id                   int64
		target, alert, cause string
		a                    struct {
			URL string `json:"url"`
		}
	)
	if err := rows.Scan(&id, &target, &alert, &a.URL, &cause); err != nil {
		return "", err
	}
	// The URL is read in Go: the alert is JSON text, and PostgreSQL's
	// cast to jsonb would refuse some of what encoding/json writes
	// (\u0000). A row marked failed after another replica sent it has
	// no alert: the release's URL stands in.
	if alert != "" {
		if err := json.Unmarshal([]byte(alert), &a); err != nil {
			return "", fmt.Errorf("delivery %d: corrupt alert: %w", id, err)
		}
	}
	return fmt.Sprintf("%s %s: %s", target, a.URL, cause), nil
}

// Targets lists the targets that have been sent (or are queued) any alert
// of a release (on PostgreSQL, in the order they were first queued).
func (s *outboxStore) Targets(ctx context.Context, releaseID int64) ([]release.Target, error) {
	return queryAll(ctx, s.conn, "targets", func(rows *sql.Rows) (release.Target, error) {
		var key string
		err := rows.Scan(&key)
		return storedTarget(key), err
	}, sqTargets, releaseID)
}
