package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// The audit log as people read it: names instead of "user:12", actions and
// objects in words, times in the workspace's zone, details as text, and
// repeated reads folded into one line. The chain itself (package audit)
// stays as recorded; this is only its reading.

// AuditQuery is what the log is filtered by. Dates are days in the zone
// the log is shown in; zero means unbounded.
type AuditQuery struct {
	Actor    string // as recorded: "user:12"
	Action   string // as recorded: "risk.decide"
	From, To time.Time
	Before   int64 // continue before this seq; 0: from the newest
}

// AuditView is one page of the log.
type AuditView struct {
	Entries []AuditLine
	Next    int64 // seq to continue before; 0 on the last page
	Zone    *time.Location
	// ZoneNote says which zone the times are in and why.
	ZoneNote string
	People   []Choice // the people who appear in the log, for the filter
	Actions  []Choice // the actions it records, for the filter
}

// Choice is a value of a filter and how it is shown.
type Choice struct{ Value, Label string }

// AuditLine is an entry, or a run of reads folded into one.
type AuditLine struct {
	Seq         int64 // of the newest entry in the line
	At, First   time.Time
	Count       int    // entries in the line: 1, or the reads folded
	Who         string // the person's e-mail, or how the actor was recorded
	What        string // the action in words
	On          string // the object in words
	OnRef       string // the object as recorded, shown small
	Details     []Detail
	Action      string // as recorded, for the CSV and the filter
	groupedRead string // the read's words when the line may fold reads
	actor, obj  string // as recorded: what folding compares
	oldest      int64
}

// Detail is one "key: value" of an entry's details.
type Detail struct{ Key, Value string }

// Summary is the line's action, with the count and span of folded reads:
// "viewed the model 14 times between 09:02:11 and 11:40:05".
func (l AuditLine) Summary(zone *time.Location) string {
	if l.Count <= 1 {
		return l.What
	}
	first, last := l.First.In(zone), l.At.In(zone)
	layout := "15:04:05"
	if first.Format(time.DateOnly) != last.Format(time.DateOnly) {
		layout = "2006-01-02 15:04:05"
	}
	s := l.groupedRead
	return strings.ToUpper(s[:1]) + s[1:] + fmt.Sprintf(" %d times between %s and %s", l.Count, first.Format(layout), last.Format(layout))
}

// Bounds of a page: lines shown, entries fetched at a time, and entries
// read for one page at most (a page of one person's ten thousand reads
// still ends).
const (
	auditPageLines = 50
	auditBatch     = 200
	auditScanMax   = 5000
)

// AuditLog returns a page of the workspace's audit log as people read it.
// Only roles that may read the log (auth.ActAuditRead) see it, and only
// the workspace's own entries: the query is bound to ws.
func (a *App) AuditLog(ctx context.Context, who Actor, ws Scope, q AuditQuery) (AuditView, error) {
	if err := a.Allowed(who, ws, auth.ActAuditRead, ""); err != nil {
		return AuditView{}, err
	}
	v := AuditView{}
	var err error
	if v.Zone, v.ZoneNote, err = a.auditZone(ctx, ws); err != nil {
		return AuditView{}, err
	}
	f := auditFilter(ws, q, v.Zone)
	n := a.newNamer(ws, v.Zone)
	var last int64
	for scanned := 0; ; {
		rows, err := a.st.FilteredAuditEntries(ctx, f, auditBatch)
		if err != nil {
			return AuditView{}, err
		}
		for _, r := range rows {
			l, err := n.line(ctx, r)
			if err != nil {
				return AuditView{}, err
			}
			lines, added := fold(v.Entries, l)
			if added && len(lines) > auditPageLines {
				// This entry starts the next page.
				v.Next = last
				break
			}
			v.Entries, last = lines, r.Seq
		}
		scanned += len(rows)
		if v.Next != 0 || len(rows) < auditBatch {
			break
		}
		if scanned >= auditScanMax {
			v.Next = last
			break
		}
		f.Before = last
	}
	if v.People, v.Actions, err = a.auditChoices(ctx, ws, n); err != nil {
		return AuditView{}, err
	}
	return v, nil
}

// fold adds l to lines, or folds it into the line of the same person's
// reads of the same object when only reads came between them (reads of
// other things by others included): a morning of viewing the model
// becomes one line, but a change in between keeps the reads around it
// apart, so the log still shows what was read before and after it.
func fold(lines []AuditLine, l AuditLine) (_ []AuditLine, added bool) {
	if l.groupedRead != "" {
		for i := len(lines) - 1; i >= 0 && lines[i].groupedRead != ""; i-- {
			g := &lines[i]
			if g.Action == l.Action && g.actor == l.actor && g.obj == l.obj {
				g.Count++
				g.First, g.oldest = l.At, l.oldest
				return lines, false
			}
		}
	}
	return append(lines, l), true
}

// auditFilter turns a query into the store's filter: the days are whole
// days in the zone shown, To included.
func auditFilter(ws Scope, q AuditQuery, zone *time.Location) store.AuditFilter {
	f := store.AuditFilter{WorkspaceID: ws.WS.ID, Actor: q.Actor, Action: q.Action, Before: q.Before}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone) }
	if !q.From.IsZero() {
		f.From = store.FormatTime(day(q.From))
	}
	if !q.To.IsZero() {
		f.To = store.FormatTime(day(q.To).AddDate(0, 0, 1))
	}
	return f
}

// auditZone is the zone the log's times are shown in, and a sentence
// saying which and why: the time zone of the organisation the workspace's
// model describes (organization.time_zone), else UTC. A workspace has no
// setting of its own for it; its model is where the organisation is
// described.
//
// Reading the zone meant unsealing and parsing the whole model on every
// view of the log — for a large billing operation most of the view's
// cost — so the answer is kept by (workspace, model revision): a model
// saved on this server or another has a new revision.
func (a *App) auditZone(ctx context.Context, ws Scope) (*time.Location, string, error) {
	rev, err := a.st.WorkspaceModelRevision(ctx, ws.WS.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "", fmt.Errorf("app: %w", err)
	}
	key := zoneKey{ws: ws.WS.ID, revision: rev}
	if z, ok := a.zones.Get(key); ok {
		return z.loc, z.says, nil
	}
	z := zone{loc: time.UTC, says: "Times are in UTC (Coordinated Universal Time): the model names no time zone for the organisation (organization.time_zone)."}
	if rev != 0 {
		wm, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
		if err != nil {
			return nil, "", err
		}
		key.revision = wm.Revision // the model read, whatever was saved since
		if ok && m.Organization.TimeZone != "" {
			// The model was validated when saved, zone included.
			if loc, err := time.LoadLocation(m.Organization.TimeZone); err == nil {
				z = zone{loc: loc, says: fmt.Sprintf("Times are in %s, the time zone of %s (organization.time_zone in the model).",
					loc, m.Organization.Name)}
			}
		}
	}
	a.zones.Add(key, z, 0)
	return z.loc, z.says, nil
}

// zoneKey and zone are auditZone's cache entries.
type zoneKey struct {
	ws       int64
	revision int
}

type zone struct {
	loc  *time.Location
	says string
}

func (a *App) auditChoices(ctx context.Context, ws Scope, n *namer) (people, actions []Choice, err error) {
	actors, acts, err := a.st.AuditVocabulary(ctx, ws.WS.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, ac := range actors {
		name, err := n.who(ctx, ac)
		if err != nil {
			return nil, nil, err
		}
		people = append(people, Choice{Value: ac, Label: name})
	}
	for _, ac := range acts {
		actions = append(actions, Choice{Value: ac, Label: ActionLabel(ac)})
	}
	byLabel := func(cs []Choice) {
		sort.SliceStable(cs, func(i, j int) bool { return strings.ToLower(cs[i].Label) < strings.ToLower(cs[j].Label) })
	}
	byLabel(people)
	byLabel(actions)
	return people, actions, nil
}

// namer turns what entries record into words, remembering what it looked
// up for the page: one query per person, one for the assessments, one
// result for the risks' titles.
type namer struct {
	a        *App
	ws       Scope
	people   map[int64]string
	versions map[int64]int
	risks    map[string]string
	spaces   map[int64]string
	zone     *time.Location
}

func (a *App) newNamer(ws Scope, zone *time.Location) *namer {
	return &namer{a: a, ws: ws, people: map[int64]string{}, spaces: map[int64]string{}, zone: zone}
}

func (n *namer) line(ctx context.Context, r store.AuditRow) (AuditLine, error) {
	at, err := r.Time()
	if err != nil {
		return AuditLine{}, fmt.Errorf("app: audit entry %d: %w", r.Seq, err)
	}
	l := AuditLine{Seq: r.Seq, oldest: r.Seq, At: at, First: at, Count: 1, What: ActionLabel(r.Action), Action: r.Action,
		groupedRead: groupedReads[r.Action], actor: r.Actor, obj: r.Object}
	if l.Who, err = n.who(ctx, r.Actor); err != nil {
		return l, err
	}
	if l.On, l.OnRef, err = n.object(ctx, r.Object); err != nil {
		return l, err
	}
	if l.Details, err = n.details(ctx, r.Details); err != nil {
		return l, fmt.Errorf("app: audit entry %d: %w", r.Seq, err)
	}
	return l, nil
}

// refID reads "kind:123".
func refID(s, kind string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, kind+":")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// who names an actor: a user by e-mail (kept for people since removed),
// a command-line account by its name.
func (n *namer) who(ctx context.Context, actor string) (string, error) {
	if id, ok := refID(actor, "user"); ok {
		return n.person(ctx, id)
	}
	switch {
	case actor == "cli":
		return "Command line", nil
	case strings.HasPrefix(actor, "cli:"):
		return strings.TrimPrefix(actor, "cli:") + " (command line)", nil
	case actor == string(audit.Anonymous):
		return "Someone not signed in", nil
	}
	return actor, nil
}

func (n *namer) person(ctx context.Context, id int64) (string, error) {
	if name, ok := n.people[id]; ok {
		return name, nil
	}
	u, err := n.a.st.User(ctx, id)
	name := u.Email
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		name = fmt.Sprintf("Deleted account #%d", id)
	}
	n.people[id] = name
	return name, nil
}

// object names what an entry is about; ref is the recorded ID worth
// showing beside it (a risk's), else "".
func (n *namer) object(ctx context.Context, obj string) (label, ref string, err error) {
	kind, rest, _ := strings.Cut(obj, ":")
	switch {
	case obj == "":
		return "", "", nil
	case kind == "workspace" && strings.HasSuffix(rest, "/model"):
		return "Workspace model", "", nil
	case kind == "workspace" && strings.HasSuffix(rest, "/audit"):
		return "Audit log", "", nil
	case kind == "workspace":
		id, _ := refID(obj, "workspace")
		name, err := n.space(ctx, id)
		return "Workspace " + name, "", err
	case kind == "assessment":
		id, _ := refID(obj, "assessment")
		v, err := n.version(ctx, id)
		if err != nil || v == 0 {
			return "Assessment (no longer kept)", "", err
		}
		return fmt.Sprintf("Assessment v%d", v), "", nil
	case kind == "risk":
		title, err := n.riskTitle(ctx, rest)
		if err != nil || title == "" {
			return "Risk " + rest, "", err
		}
		return "Risk: " + title, rest, nil
	case kind == "user":
		id, _ := refID(obj, "user")
		name, err := n.person(ctx, id)
		return name, "", err
	case kind == "evidence":
		return "Evidence set #" + rest, "", nil
	case kind == "token":
		return "API token #" + rest, "", nil
	case kind == "invitation":
		return "Invitation #" + rest, "", nil
	case kind == "key":
		return "Encryption key " + shorten(rest), "", nil
	case obj == "database":
		return "The database", "", nil
	}
	return obj, "", nil
}

func (n *namer) space(ctx context.Context, id int64) (string, error) {
	if name, ok := n.spaces[id]; ok {
		return name, nil
	}
	name := n.ws.WS.Name
	if id != n.ws.WS.ID {
		w, err := n.a.st.Workspace(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			name = fmt.Sprintf("#%d", id)
		case err != nil:
			return "", err
		default:
			name = w.Name
		}
	}
	n.spaces[id] = name
	return name, nil
}

func (n *namer) version(ctx context.Context, id int64) (int, error) {
	if n.versions == nil {
		heads, err := n.a.st.AssessmentHeads(ctx, n.ws.WS.ID)
		if err != nil {
			return 0, err
		}
		n.versions = make(map[int64]int, len(heads))
		for _, h := range heads {
			n.versions[h.ID] = h.Version
		}
	}
	return n.versions[id], nil
}

// riskTitle is the risk's title in the latest assessment ("" when it is
// not in it any more).
func (n *namer) riskTitle(ctx context.Context, id string) (string, error) {
	if n.risks == nil {
		n.risks = map[string]string{}
		_, res, ok, err := n.a.Latest(ctx, n.ws.WS.ID)
		if err != nil {
			return "", err
		}
		if ok {
			for _, r := range res.Risks {
				n.risks[r.ID] = r.Title
			}
		}
	}
	return n.risks[id], nil
}

// detailKeys are the words for the details entries record; other keys
// are shown with their underscores as spaces.
var detailKeys = map[string]string{
	"via": "Through", "due": "Due date", "expires": "Expires", "assignees": "Assigned to", "view": "Page",
	"revision": "Model revision", "facts": "Facts", "file": "File", "format": "Format", "version": "Version",
	"user": "Account", "other_sessions_ended": "Other sessions ended", "previous_key": "Previous key",
}

// details turns an entry's JSON details into "key: value" lines. Values
// are masked as a file name is (an SSN, MBI or card number a person typed
// is never shown in full) and long opaque values are cut short.
func (n *namer) details(ctx context.Context, raw string) ([]Detail, error) {
	if raw == "" || raw == "{}" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return []Detail{{Key: "Details", Value: "(not readable)"}}, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Detail, 0, len(keys))
	for _, k := range keys {
		v, err := n.value(ctx, m[k])
		if err != nil {
			return nil, err
		}
		switch k {
		case "status":
			v = risk.Status(v).Title()
		case "role", "kind":
			v = strings.ReplaceAll(v, "_", " ")
		}
		label, ok := detailKeys[k]
		if !ok {
			label = strings.ReplaceAll(k, "_", " ")
			label = strings.ToUpper(label[:1]) + label[1:]
		}
		out = append(out, Detail{Key: label, Value: v})
	}
	return out, nil
}

func (n *namer) value(ctx context.Context, v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "none", nil
	case bool:
		if v {
			return "yes", nil
		}
		return "no", nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case string:
		if id, ok := refID(v, "user"); ok {
			return n.person(ctx, id)
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.In(n.zone).Format(time.DateTime), nil
		}
		if v == "api" || v == "cli" {
			return map[string]string{"api": "API", "cli": "command line"}[v], nil
		}
		return shorten(phiscan.MaskPath(v)), nil
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, err := n.value(ctx, e)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", "), nil
	case map[string]any:
		ds, err := n.details(ctx, mustJSON(v))
		if err != nil {
			return "", err
		}
		parts := make([]string, 0, len(ds))
		for _, d := range ds {
			parts = append(parts, d.Key+": "+d.Value)
		}
		return strings.Join(parts, "; "), nil
	}
	return fmt.Sprint(v), nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v) // re-encoding what was just decoded cannot fail
	return string(b)
}

// shorten cuts a long opaque token (a key ID, a hash, an encoded value)
// to its first eight characters: enough to tell two apart, not to use one.
func shorten(s string) string {
	if len(s) < 24 {
		return s
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-+=", r)) {
			return s
		}
	}
	return s[:8] + "…"
}

// ParseAuditQuery reads the log's filters as a form sends them: dates as
// YYYY-MM-DD. A date that does not parse, or a range that ends before it
// starts, is an ErrInvalid Error naming the field.
func ParseAuditQuery(actor, action, from, to, before string) (AuditQuery, error) {
	q := AuditQuery{Actor: strings.TrimSpace(actor), Action: strings.TrimSpace(action)}
	for _, d := range []struct {
		field, label, v string
		to              *time.Time
	}{{"from", "From", from, &q.From}, {"to", "To", to, &q.To}} {
		if d.v = strings.TrimSpace(d.v); d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return q, &Error{Kind: ErrInvalid, Field: d.field, Msg: fmt.Sprintf("%s: %q is not a date; use a date like 2026-11-27.", d.label, d.v)}
		}
		*d.to = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, &Error{Kind: ErrInvalid, Field: "to", Msg: "To: the range ends before it starts."}
	}
	if before != "" {
		n, err := strconv.ParseInt(before, 10, 64)
		if err != nil || n < 0 {
			return q, &Error{Kind: ErrMalformed, Field: "before", Msg: "The page to continue from is not a number."}
		}
		q.Before = n
	}
	return q, nil
}
