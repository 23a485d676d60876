package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The register's own tables: the views people save of the register and
// the plan, and the status of each assessment kept beside it (counts and
// dates, nothing that names a system or a person, so in clear), so that
// the workspaces list can show every workspace's status in one query
// without opening (and decrypting) the results.

func registerV15(d dialect) []string {
	return []string{
		d.ddl(`CREATE TABLE saved_views (
			id {{pk}},
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			user_id BIGINT NOT NULL REFERENCES users (id),
			page TEXT NOT NULL CHECK (page IN ('risks', 'plan')),
			name TEXT NOT NULL,
			query TEXT NOT NULL,
			created_at TEXT NOT NULL,
			UNIQUE (workspace_id, user_id, page, name)
		)`),
		`CREATE TABLE assessment_status (
			assessment_id BIGINT PRIMARY KEY REFERENCES assessments (id),
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			as_of TEXT NOT NULL,
			open_risks INTEGER NOT NULL,
			open_high INTEGER NOT NULL,
			open_very_high INTEGER NOT NULL,
			next_review TEXT
		)`,
		`CREATE INDEX assessment_status_workspace ON assessment_status (workspace_id)`,
		// "My work" finds a person's risks across workspaces by owner.
		`CREATE INDEX risk_decisions_owner ON risk_decisions (owner)`,
	}
}

// MemberUser is a member of a workspace with the address they sign in with.
type MemberUser struct {
	UserID int64
	Email  string
	Role   string
}

// MemberUsers lists a workspace's members with their addresses, in one
// query: the owner choices of the register and the plan.
func (c *conn) MemberUsers(ctx context.Context, workspaceID int64) ([]MemberUser, error) {
	out, err := collect(ctx, c, func(r rowScanner) (MemberUser, error) {
		var m MemberUser
		return m, r.Scan(&m.UserID, &m.Email, &m.Role)
	}, `SELECT m.user_id, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? ORDER BY u.email`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: members of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// SavedView is a named filter and sort order of the register or the plan,
// one person's in one workspace.
type SavedView struct {
	ID          int64
	WorkspaceID int64
	UserID      int64
	Page        string // "risks" or "plan"
	Name        string
	Query       string // the page's query string: filters and sort
	Created     time.Time
}

const savedViewCols = `id, workspace_id, user_id, page, name, query, created_at`

func scanSavedView(row rowScanner) (SavedView, error) {
	var v SavedView
	var created string
	if err := row.Scan(&v.ID, &v.WorkspaceID, &v.UserID, &v.Page, &v.Name, &v.Query, &created); err != nil {
		return v, err
	}
	var err error
	v.Created, err = parseTS(created)
	return v, err
}

// PutSavedView saves a view, replacing the user's view of the same name
// on the same page.
func (t *Tx) PutSavedView(ctx context.Context, v SavedView) (SavedView, error) {
	t.wrote = true
	out, err := scanSavedView(t.ex.QueryRowContext(ctx, t.d.rebind(`INSERT INTO saved_views (workspace_id, user_id, page, name, query, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, user_id, page, name) DO UPDATE SET query = excluded.query, created_at = excluded.created_at
		RETURNING `+savedViewCols), v.WorkspaceID, v.UserID, v.Page, v.Name, v.Query, ts(v.Created)))
	if err != nil {
		return out, fmt.Errorf("store: save view %q: %w", v.Name, err)
	}
	return out, nil
}

// DeleteSavedView removes one of a user's views; ErrNotFound when it is
// not theirs or not there.
func (t *Tx) DeleteSavedView(ctx context.Context, workspaceID, userID, id int64) error {
	err := mustAffect(t.exec(ctx, `DELETE FROM saved_views WHERE id = ? AND workspace_id = ? AND user_id = ?`, id, workspaceID, userID))
	if err != nil {
		return fmt.Errorf("store: delete view %d: %w", id, err)
	}
	return nil
}

// SavedViews lists a user's views of a page in a workspace, by name.
func (c *conn) SavedViews(ctx context.Context, workspaceID, userID int64, page string) ([]SavedView, error) {
	out, err := collect(ctx, c, scanSavedView, `SELECT `+savedViewCols+` FROM saved_views
		WHERE workspace_id = ? AND user_id = ? AND page = ? ORDER BY name`, workspaceID, userID, page)
	if err != nil {
		return nil, fmt.Errorf("store: saved views: %w", err)
	}
	return out, nil
}

// AssessmentStatus is what the workspaces list shows of an assessment.
type AssessmentStatus struct {
	AssessmentID int64
	WorkspaceID  int64
	AsOf         string // YYYY-MM-DD
	Open         int
	OpenHigh     int
	OpenVeryHigh int
	NextReview   time.Time // zero: none known
}

const assessmentStatusCols = `assessment_id, workspace_id, as_of, open_risks, open_high, open_very_high, next_review`

const putStatus = `INSERT INTO assessment_status (` + assessmentStatusCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id) DO NOTHING`

// PutAssessmentStatus records an assessment's summary in the transaction
// that stores the assessment.
func (t *Tx) PutAssessmentStatus(ctx context.Context, s AssessmentStatus) error {
	_, err := t.exec(ctx, putStatus, s.AssessmentID, s.WorkspaceID, s.AsOf, s.Open, s.OpenHigh, s.OpenVeryHigh, nts(s.NextReview))
	if err != nil {
		return fmt.Errorf("store: summary of assessment %d: %w", s.AssessmentID, err)
	}
	return nil
}

// BackfillAssessmentStatus records the summary of an assessment stored
// before summaries were kept. It is outside any audited transaction on
// purpose: the summary is derived from the stored result, like a cache of
// it, and changes nothing anyone decided; a second writer's identical row
// is ignored.
func (s *Store) BackfillAssessmentStatus(ctx context.Context, sum AssessmentStatus) error {
	_, err := s.db.ExecContext(ctx, s.d.rebind(putStatus), sum.AssessmentID, sum.WorkspaceID, sum.AsOf, sum.Open, sum.OpenHigh,
		sum.OpenVeryHigh, nts(sum.NextReview))
	if err != nil {
		return fmt.Errorf("store: summary of assessment %d: %w", sum.AssessmentID, err)
	}
	return nil
}

// WorkspaceStatus is one row of a user's workspaces list.
type WorkspaceStatus struct {
	WS         Workspace
	ParentName string // the billing company of a client workspace
	Role       string
	// LatestID is the latest assessment (0: none); Assessed its time.
	LatestID int64
	Assessed time.Time
	// Status is the latest assessment's; HasStatus is false for one
	// stored before statuses were kept.
	Status    AssessmentStatus
	HasStatus bool
}

// WorkspaceStatusQuery selects a page of a user's workspaces.
type WorkspaceStatusQuery struct {
	UserID int64
	Now    time.Time // memberships that ended before it are left out
	Search string    // part of the workspace's or its billing company's name
	Offset int
	Limit  int
}

// workspaceStatusesQuery takes the user, the time memberships must last
// past, the search pattern twice, the limit and the offset.
var workspaceStatusesQuery = `SELECT ` + qualify("w", workspaceCols) + `, COALESCE(p.name, ''), m.role,
			COALESCE(a.id, 0), COALESCE(a.created_at, ''),
			s.assessment_id, COALESCE(s.as_of, ''), COALESCE(s.open_risks, 0), COALESCE(s.open_high, 0),
			COALESCE(s.open_very_high, 0), s.next_review,
			COUNT(*) OVER ()
		FROM memberships m
		JOIN workspaces w ON w.id = m.workspace_id
		LEFT JOIN workspaces p ON p.id = w.parent_id
		LEFT JOIN assessments a ON a.id = (SELECT a2.id FROM assessments a2 WHERE a2.workspace_id = w.id ORDER BY a2.version DESC LIMIT 1)
		LEFT JOIN assessment_status s ON s.assessment_id = a.id
		WHERE m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at > ?)
			AND (LOWER(w.name) LIKE ? ESCAPE '\' OR LOWER(COALESCE(p.name, '')) LIKE ? ESCAPE '\')
		ORDER BY LOWER(COALESCE(p.name, w.name)), COALESCE(p.name, w.name), w.parent_id IS NOT NULL, LOWER(w.name), w.id
		LIMIT ? OFFSET ?`

// WorkspaceStatuses returns a page of the workspaces a user is a member of,
// each client beside its billing company (grouped by the company's name,
// the company first), with the latest assessment's summary, and how many
// match in all: one query whatever the number of workspaces, each
// workspace's latest assessment found through the (workspace_id, version)
// index.
func (c *conn) WorkspaceStatuses(ctx context.Context, q WorkspaceStatusQuery) ([]WorkspaceStatus, int, error) {
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q.Search)) + "%"
	rows, err := c.query(ctx, workspaceStatusesQuery, q.UserID, ts(q.Now), like, like, q.Limit, q.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: workspaces of user %d: %w", q.UserID, err)
	}
	defer rows.Close()
	var out []WorkspaceStatus
	total := 0
	for rows.Next() {
		var st WorkspaceStatus
		var assessed string
		var sumID sql.NullInt64
		var next sql.NullString
		err := scanJoined(rows,
			func(r rowScanner) (err error) { st.WS, err = scanWorkspace(r); return err },
			func(r rowScanner) error {
				return r.Scan(&st.ParentName, &st.Role, &st.LatestID, &assessed, &sumID, &st.Status.AsOf, &st.Status.Open,
					&st.Status.OpenHigh, &st.Status.OpenVeryHigh, &next, &total)
			})
		if err != nil {
			return nil, 0, fmt.Errorf("store: workspaces of user %d: %w", q.UserID, err)
		}
		if st.Assessed, err = parseTS(assessed); err != nil {
			return nil, 0, err
		}
		if st.Status.NextReview, err = parseNTS(next); err != nil {
			return nil, 0, err
		}
		st.HasStatus = sumID.Valid
		st.Status.AssessmentID, st.Status.WorkspaceID = sumID.Int64, st.WS.ID
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: workspaces of user %d: %w", q.UserID, err)
	}
	return out, total, nil
}

// OwnedDecisions lists the decisions whose owner is owner (a person's
// reference) in the workspaces where userID's membership is in force at
// now: a person's work across their workspaces, found through the owner
// index.
func (c *conn) OwnedDecisions(ctx context.Context, userID int64, owner string, now time.Time) ([]RiskDecision, error) {
	out, err := collect(ctx, c, scanDecision, `SELECT `+qualify("d", decisionCols)+` FROM risk_decisions d
		JOIN memberships m ON m.workspace_id = d.workspace_id AND m.user_id = ?
		WHERE d.owner = ? AND (m.expires_at IS NULL OR m.expires_at > ?)
		ORDER BY d.due_date IS NULL, d.due_date, d.workspace_id, d.risk_id`, userID, owner, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: decisions owned by user %d: %w", userID, err)
	}
	return out, nil
}

// ReviewsWaitingFor lists the closures waiting for review in the
// workspaces where userID reviews (owner, compliance officer), but not
// their own proposals, oldest first.
func (c *conn) ReviewsWaitingFor(ctx context.Context, userID int64, now time.Time) ([]RiskReview, error) {
	out, err := collect(ctx, c, scanReview, `SELECT `+qualify("r", reviewCols)+` FROM risk_reviews r
		JOIN memberships m ON m.workspace_id = r.workspace_id AND m.user_id = ?
		WHERE r.state = ? AND r.requested_by <> ? AND m.role IN ('owner', 'compliance_officer')
			AND (m.expires_at IS NULL OR m.expires_at > ?)
		ORDER BY r.requested_at, r.workspace_id, r.risk_id`, userID, ReviewPending, userID, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: reviews waiting for user %d: %w", userID, err)
	}
	return out, nil
}
