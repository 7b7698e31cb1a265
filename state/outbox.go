package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	sqDue = hot(`SELECT ` + deliveryCols + `
		FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?`)
	sqPendingBefore = hot(`SELECT count(*) FROM outbox WHERE target = ? AND status = 'pending' AND id < ?`)
	// A delivered row keeps no alert (outbox_sent counts it out of its
	// alert's waiting rows).
	sqMarkSent = hot(`UPDATE outbox SET status = 'sent', message_id = ?, sent_at = ?, attempts = attempts + 1, last_error = '', alert_id = NULL, matches = ''
		WHERE id = ?`)
	sqMarkRetry  = hot(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`)
	sqMarkFailed = hot(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`)
	// +status: found by release (outbox's unique index), not among every
	// row ever sent (outbox_due), which SQLite picks without statistics.
	sqFirstMessage = hot(`SELECT message_id FROM outbox WHERE release_id = ? AND target = ? AND kind = 'new' AND +status = 'sent'
		ORDER BY id LIMIT 1`)
	sqOutbox = hot(`SELECT
		coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'sent'), 0), coalesce(sum(status = 'failed'), 0) FROM outbox`)
	sqTargets = hot(`SELECT DISTINCT target FROM outbox WHERE release_id = ? AND status != 'failed'`)
)

// Due returns pending deliveries whose time has come, oldest first.
func (s *SQLite) Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows, err := s.conn.QueryContext(ctx, sqDue, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("state: due: %w", err)
	}
	return scanDeliveries("due", rows)
}

// PendingBefore reports whether target has a pending delivery older than id,
// so that a later alert never overtakes an earlier one in a channel.
func (s *SQLite) PendingBefore(ctx context.Context, target string, id int64) (bool, error) {
	var n int
	err := s.conn.QueryRowContext(ctx, sqPendingBefore, target, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("state: pending: %w", err)
	}
	return n > 0, nil
}

// MarkSent records a delivered alert and the message id Discord gave it;
// the row keeps no copy of the alert.
func (s *SQLite) MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error {
	_, err := s.conn.ExecContext(ctx, sqMarkSent, messageID, ms(now), id)
	if err != nil {
		return fmt.Errorf("state: mark sent: %w", err)
	}
	return nil
}

// MarkRetry records a failed attempt and when to try again.
func (s *SQLite) MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error {
	_, err := s.conn.ExecContext(ctx, sqMarkRetry, cause, ms(next), id)
	if err != nil {
		return fmt.Errorf("state: mark retry: %w", err)
	}
	return nil
}

// MarkFailed gives a delivery up.
func (s *SQLite) MarkFailed(ctx context.Context, id int64, cause string) error {
	_, err := s.conn.ExecContext(ctx, sqMarkFailed, cause, id)
	if err != nil {
		return fmt.Errorf("state: mark failed: %w", err)
	}
	return nil
}

// FirstMessage returns the message id of the first alert of a release that
// was delivered to target, or "" when there is none.
func (s *SQLite) FirstMessage(ctx context.Context, releaseID int64, target string) (string, error) {
	var id string
	err := s.conn.QueryRowContext(ctx, sqFirstMessage, releaseID, target).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: first message: %w", err)
	}
	return id, nil
}

// Outbox counts deliveries by status.
func (s *SQLite) Outbox(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.conn.QueryRowContext(ctx, sqOutbox).
		Scan(&c.Pending, &c.Sent, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("state: outbox: %w", err)
	}
	return c, nil
}

// FailedDeliveries lists given-up deliveries, newest first, for operators.
func (s *SQLite) FailedDeliveries(ctx context.Context, limit int) ([]string, error) {
	// A row marked failed after another replica sent it has no alert: the
	// release's URL stands in.
	rows, err := s.db.QueryContext(ctx, `SELECT o.target, coalesce(json_extract(a.alert, '$.url'), r.url), o.last_error
		FROM outbox o LEFT JOIN alerts a ON a.id = o.alert_id JOIN releases r ON r.id = o.release_id
		WHERE o.status = 'failed' ORDER BY o.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("state: failed deliveries: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var target, url, cause string
		if err := rows.Scan(&target, &url, &cause); err != nil {
			return nil, fmt.Errorf("state: failed deliveries: %w", err)
		}
		out = append(out, fmt.Sprintf("%s %s: %s", target, url, cause))
	}
	return out, rows.Err()
}

// Targets lists the targets that have been sent (or are queued) any alert
// of a release.
func (s *SQLite) Targets(ctx context.Context, releaseID int64) ([]string, error) {
	rows, err := s.conn.QueryContext(ctx, sqTargets, releaseID)
	if err != nil {
		return nil, fmt.Errorf("state: targets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("state: targets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
