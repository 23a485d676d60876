package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rcmguard/internal/phiscan"
)

// An incident's record can name individuals, describe what happened to
// their PHI and carry the evidence of it: everything but the fields the
// lists sort and filter by (status, severity, owner, dates) is sealed at
// rest. The sealed columns' names are the AEAD associated data.
const (
	fieldIncidentBody  = "incidents.body"
	fieldIncidentEvent = "incident_events.text"
	fieldIncidentFile  = "incident_files.data"
)

// Incident is one security incident of a workspace. Body is the record's
// details as the application encodes them (JSON), opaque here and sealed
// at rest. Revision counts saves so that two people editing the same
// incident cannot silently overwrite each other.
type Incident struct {
	ID          int64
	WorkspaceID int64
	Status      string
	Severity    string
	OwnerID     int64
	OpenedBy    int64
	Opened      time.Time
	Updated     time.Time
	Closed      time.Time
	Revision    int
	Body        []byte
}

// IncidentEvent is one entry of an incident's timeline: who did what,
// when. Entries are appended, never changed or removed; the database
// refuses both (incidentsV17).
type IncidentEvent struct {
	ID         int64
	IncidentID int64
	At         time.Time
	ActorID    int64
	Kind       string
	Text       string
}

// IncidentFile is a piece of evidence attached to an incident. Data is
// filled only by IncidentFileData and CreateIncidentFile.
type IncidentFile struct {
	ID          int64
	IncidentID  int64
	WorkspaceID int64
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Data        []byte
	AddedBy     int64
	Added       time.Time
}

const incidentCols = `id, workspace_id, status, severity, owner_id, opened_by, opened_at, updated_at, closed_at, revision, body`
const incidentEventCols = `id, incident_id, workspace_id, at, actor_id, kind, text`
const incidentFileCols = `id, incident_id, workspace_id, name, content_type, size, sha256, data, added_by, added_at`

// migrationIncidents names the migration of the incident tables.
const migrationIncidents = "incidents, their append-only timelines and sealed evidence"

func incidentsV17(d dialect) []string {
	stmts := []string{
		`CREATE TABLE incidents (
			id {{pk}},
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			status TEXT NOT NULL CHECK (status IN ('open', 'contained', 'assessed', 'notified', 'closed')),
			severity TEXT NOT NULL CHECK (severity IN ('low', 'moderate', 'high', 'critical')),
			owner_id BIGINT NOT NULL REFERENCES users (id),
			opened_by BIGINT NOT NULL REFERENCES users (id),
			opened_at TEXT NOT NULL,
			updated_at TEXT NOT NULL,
			closed_at TEXT,
			revision INTEGER NOT NULL,
			body TEXT NOT NULL
		)`,
		`CREATE INDEX incidents_workspace ON incidents (workspace_id, opened_at)`,
		`CREATE TABLE incident_events (
			id {{pk}},
			incident_id BIGINT NOT NULL REFERENCES incidents (id),
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			at TEXT NOT NULL,
			actor_id BIGINT REFERENCES users (id),
			kind TEXT NOT NULL,
			text TEXT NOT NULL
		)`,
		`CREATE INDEX incident_events_incident ON incident_events (incident_id, id)`,
		`CREATE TABLE incident_files (
			id {{pk}},
			incident_id BIGINT NOT NULL REFERENCES incidents (id),
			workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
			name TEXT NOT NULL,
			content_type TEXT NOT NULL,
			size BIGINT NOT NULL,
			sha256 TEXT NOT NULL,
			data TEXT NOT NULL,
			added_by BIGINT REFERENCES users (id),
			added_at TEXT NOT NULL
		)`,
		`CREATE INDEX incident_files_incident ON incident_files (incident_id, id)`,
	}
	for i, s := range stmts {
		stmts[i] = d.ddl(s)
	}
	// The timeline is a record of what was done, so it is append-only in
	// the database itself, as the audit log is. The one change allowed is
	// re-sealing an entry's text under a new key (Reseal), which changes
	// its encoding, not its meaning.
	if d == postgres {
		return append(stmts,
			`CREATE FUNCTION rcmguard_incident_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.incident_id IS DISTINCT FROM OLD.incident_id
					OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id OR NEW.at IS DISTINCT FROM OLD.at
					OR NEW.actor_id IS DISTINCT FROM OLD.actor_id OR NEW.kind IS DISTINCT FROM OLD.kind
					OR left(NEW.text, 3) <> 's1.' THEN
					RAISE EXCEPTION 'incident_events is append-only';
				END IF;
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
			FOR EACH ROW EXECUTE FUNCTION rcmguard_incident_event_append_only()`)
	}
	return append(stmts,
		`CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
		WHEN NEW.id IS NOT OLD.id OR NEW.incident_id IS NOT OLD.incident_id OR NEW.workspace_id IS NOT OLD.workspace_id
			OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id OR NEW.kind IS NOT OLD.kind
			OR substr(NEW.text, 1, 3) <> 's1.'
		BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END`,
		`CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
		BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END`)
}

func (c *conn) scanIncident(row rowScanner) (Incident, error) {
	var in Incident
	var opened, updated, body string
	var closed sql.NullString
	if err := row.Scan(&in.ID, &in.WorkspaceID, &in.Status, &in.Severity, &in.OwnerID, &in.OpenedBy, &opened, &updated,
		&closed, &in.Revision, &body); err != nil {
		return in, err
	}
	var err error
	if in.Opened, err = parseTS(opened); err != nil {
		return in, err
	}
	if in.Updated, err = parseTS(updated); err != nil {
		return in, err
	}
	if in.Closed, err = parseNTS(closed); err != nil {
		return in, err
	}
	in.Body, err = c.open(fieldIncidentBody, body)
	return in, err
}

// CreateIncident stores a new incident at revision 1.
func (t *Tx) CreateIncident(ctx context.Context, in Incident) (Incident, error) {
	sealed, err := t.seal(fieldIncidentBody, in.Body)
	if err != nil {
		return in, fmt.Errorf("store: create incident in workspace %d: %w", in.WorkspaceID, err)
	}
	in.Revision, in.Updated = 1, in.Opened
	in.ID, err = t.insertID(ctx, `INSERT INTO incidents (workspace_id, status, severity, owner_id, opened_by, opened_at, updated_at,
		closed_at, revision, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.WorkspaceID, in.Status, in.Severity, in.OwnerID,
		in.OpenedBy, ts(in.Opened), ts(in.Updated), nts(in.Closed), in.Revision, sealed)
	if err != nil {
		return in, fmt.Errorf("store: create incident in workspace %d: %w", in.WorkspaceID, err)
	}
	return in, nil
}

// UpdateIncident saves an incident read at revision in.Revision and
// returns it at the next revision. ErrConflict when someone saved it
// meanwhile; ErrNotFound when the workspace has no such incident.
func (t *Tx) UpdateIncident(ctx context.Context, in Incident) (Incident, error) {
	sealed, err := t.seal(fieldIncidentBody, in.Body)
	if err != nil {
		return in, fmt.Errorf("store: update incident %d: %w", in.ID, err)
	}
	res, err := t.exec(ctx, `UPDATE incidents SET status = ?, severity = ?, owner_id = ?, updated_at = ?, closed_at = ?,
		revision = revision + 1, body = ? WHERE workspace_id = ? AND id = ? AND revision = ?`,
		in.Status, in.Severity, in.OwnerID, ts(in.Updated), nts(in.Closed), sealed, in.WorkspaceID, in.ID, in.Revision)
	if err := mustAffect(res, err); err != nil {
		if errors.Is(err, ErrNotFound) {
			if _, gerr := t.Incident(ctx, in.WorkspaceID, in.ID); gerr == nil {
				return in, fmt.Errorf("store: update incident %d: %w: saved by someone else since revision %d", in.ID, ErrConflict, in.Revision)
			}
		}
		return in, fmt.Errorf("store: update incident %d: %w", in.ID, err)
	}
	in.Revision++
	return in, nil
}

// Incident returns one incident of a workspace with its body opened.
func (c *conn) Incident(ctx context.Context, workspaceID, id int64) (Incident, error) {
	in, err := c.scanIncident(c.queryRow(ctx, `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return in, fmt.Errorf("store: incident %d: %w", id, notFound(err))
	}
	return in, nil
}

// Incidents lists a workspace's incidents, newest first, bodies opened.
func (c *conn) Incidents(ctx context.Context, workspaceID int64) ([]Incident, error) {
	out, err := collect(ctx, c, c.scanIncident, `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = ?
		ORDER BY opened_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: incidents of workspace %d: %w", workspaceID, err)
	}
	return out, nil
}

// AppendIncidentEvent adds an entry to an incident's timeline.
func (t *Tx) AppendIncidentEvent(ctx context.Context, workspaceID int64, ev IncidentEvent) (IncidentEvent, error) {
	sealed, err := t.seal(fieldIncidentEvent, []byte(ev.Text))
	if err != nil {
		return ev, fmt.Errorf("store: incident %d timeline: %w", ev.IncidentID, err)
	}
	ev.ID, err = t.insertID(ctx, `INSERT INTO incident_events (incident_id, workspace_id, at, actor_id, kind, text)
		VALUES (?, ?, ?, ?, ?, ?)`, ev.IncidentID, workspaceID, ts(ev.At), nid(ev.ActorID), ev.Kind, sealed)
	if err != nil {
		return ev, fmt.Errorf("store: incident %d timeline: %w", ev.IncidentID, err)
	}
	return ev, nil
}

// IncidentEvents returns an incident's timeline, oldest first.
func (c *conn) IncidentEvents(ctx context.Context, workspaceID, incidentID int64) ([]IncidentEvent, error) {
	out, err := collect(ctx, c, func(row rowScanner) (IncidentEvent, error) {
		var ev IncidentEvent
		var ws int64
		var at, text string
		var actor sql.NullInt64
		if err := row.Scan(&ev.ID, &ev.IncidentID, &ws, &at, &actor, &ev.Kind, &text); err != nil {
			return ev, err
		}
		ev.ActorID = actor.Int64
		var err error
		if ev.At, err = parseTS(at); err != nil {
			return ev, err
		}
		plain, err := c.open(fieldIncidentEvent, text)
		ev.Text = string(plain)
		return ev, err
	}, `SELECT `+incidentEventCols+` FROM incident_events WHERE workspace_id = ? AND incident_id = ? ORDER BY id`, workspaceID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: incident %d timeline: %w", incidentID, err)
	}
	return out, nil
}

// CreateIncidentFile stores a piece of evidence, sealed. Its name is
// masked as evidence uploads' names are: a file is often named for the
// patient or account it concerns.
func (t *Tx) CreateIncidentFile(ctx context.Context, f IncidentFile) (IncidentFile, error) {
	f.Name = phiscan.MaskPath(f.Name)
	sealed, err := t.seal(fieldIncidentFile, f.Data)
	if err != nil {
		return f, fmt.Errorf("store: incident %d file: %w", f.IncidentID, err)
	}
	f.Size = int64(len(f.Data))
	f.ID, err = t.insertID(ctx, `INSERT INTO incident_files (incident_id, workspace_id, name, content_type, size, sha256, data,
		added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.IncidentID, f.WorkspaceID, f.Name, f.ContentType, f.Size,
		f.SHA256, sealed, nid(f.AddedBy), ts(f.Added))
	if err != nil {
		return f, fmt.Errorf("store: incident %d file: %w", f.IncidentID, err)
	}
	return f, nil
}

func scanIncidentFile(row rowScanner, data *string) (IncidentFile, error) {
	var f IncidentFile
	var by sql.NullInt64
	var added, ignored string
	if data == nil {
		data = &ignored
	}
	if err := row.Scan(&f.ID, &f.IncidentID, &f.WorkspaceID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, data, &by, &added); err != nil {
		return f, err
	}
	f.AddedBy = by.Int64
	var err error
	f.Added, err = parseTS(added)
	return f, err
}

// IncidentFiles lists an incident's evidence, without the contents.
func (c *conn) IncidentFiles(ctx context.Context, workspaceID, incidentID int64) ([]IncidentFile, error) {
	// The data column is not selected: a list must not open megabytes.
	out, err := collect(ctx, c, func(row rowScanner) (IncidentFile, error) {
		var f IncidentFile
		var by sql.NullInt64
		var added string
		if err := row.Scan(&f.ID, &f.IncidentID, &f.WorkspaceID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &by, &added); err != nil {
			return f, err
		}
		f.AddedBy = by.Int64
		var err error
		f.Added, err = parseTS(added)
		return f, err
	}, `SELECT id, incident_id, workspace_id, name, content_type, size, sha256, added_by, added_at FROM incident_files
		WHERE workspace_id = ? AND incident_id = ? ORDER BY id`, workspaceID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: incident %d files: %w", incidentID, err)
	}
	return out, nil
}

// IncidentFileData returns one piece of an incident's evidence with its
// contents opened.
func (c *conn) IncidentFileData(ctx context.Context, workspaceID, incidentID, id int64) (IncidentFile, error) {
	var sealed string
	f, err := scanIncidentFile(c.queryRow(ctx, `SELECT `+incidentFileCols+` FROM incident_files
		WHERE workspace_id = ? AND incident_id = ? AND id = ?`, workspaceID, incidentID, id), &sealed)
	if err != nil {
		return f, fmt.Errorf("store: incident file %d: %w", id, notFound(err))
	}
	if f.Data, err = c.open(fieldIncidentFile, sealed); err != nil {
		return f, fmt.Errorf("store: incident file %d: %w", id, err)
	}
	if f.Data == nil {
		f.Data = []byte{}
	}
	return f, nil
}
