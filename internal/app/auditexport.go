package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// auditExportMax bounds one export: beyond it, a narrower date range is
// asked for rather than building an unbounded file in memory.
const auditExportMax = 200_000

// ExportAuditLog returns the workspace's audit log, filtered as q says
// (q.Before ignored), as CSV: one row per entry, newest first, in the
// words of the page and the zone it shows, with no reads folded, since
// whoever opens the file counts and filters for themselves. The export is
// itself recorded in the log, after the file is built, and nothing is
// returned if recording fails. Cells a spreadsheet would run as a formula
// are quoted (csvCell).
func (a *App) ExportAuditLog(ctx context.Context, who Actor, ws Scope, q AuditQuery) ([]byte, error) {
	if err := a.Allowed(who, ws, auth.ActAuditRead, ""); err != nil {
		return nil, err
	}
	if err := a.Allowed(who, ws, auth.ActExport, ""); err != nil {
		return nil, err
	}
	zone, _, err := a.auditZone(ctx, ws)
	if err != nil {
		return nil, err
	}
	q.Before = 0
	f := auditFilter(ws, q, zone)
	n := a.newNamer(ws, zone)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"Entry", "Time (" + zone.String() + ")", "Person", "Action", "On", "Risk ID", "Details", "Action code"}
	if err := w.Write(header); err != nil {
		return nil, fmt.Errorf("app: audit export: %w", err)
	}
	rows := 0
	for {
		batch, err := a.st.FilteredAuditEntries(ctx, f, auditBatch*5)
		if err != nil {
			return nil, err
		}
		for _, r := range batch {
			l, err := n.line(ctx, r)
			if err != nil {
				return nil, err
			}
			ds := make([]string, len(l.Details))
			for i, d := range l.Details {
				ds[i] = d.Key + ": " + d.Value
			}
			rec := []string{strconv.FormatInt(l.Seq, 10), l.At.In(zone).Format("2006-01-02 15:04:05"), l.Who, l.What,
				l.On, l.OnRef, strings.Join(ds, "; "), l.Action}
			for i := range rec {
				rec[i] = csvCell(rec[i])
			}
			if err := w.Write(rec); err != nil {
				return nil, fmt.Errorf("app: audit export: %w", err)
			}
		}
		rows += len(batch)
		if rows > auditExportMax {
			return nil, &Error{Kind: ErrTooLarge, Msg: fmt.Sprintf("The log holds more than %d entries for these filters: choose a shorter date range.", auditExportMax)}
		}
		if len(batch) < auditBatch*5 {
			break
		}
		f.Before = batch[len(batch)-1].Seq
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("app: audit export: %w", err)
	}
	details := map[string]any{"entries": rows, "format": "csv"}
	for k, v := range map[string]string{"person": q.Actor, "action": q.Action} {
		if v != "" {
			details[k] = v
		}
	}
	if !q.From.IsZero() {
		details["from"] = FormatDate(q.From)
	}
	if !q.To.IsZero() {
		details["to"] = FormatDate(q.To)
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.AuditExport, fmt.Sprintf("workspace:%d/audit", ws.WS.ID), details)
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// csvCell keeps a spreadsheet from running a cell as a formula: a value
// that starts with = + - @ (or a tab or carriage return, which some
// programs skip before looking) gets a leading apostrophe, which shows
// the text as written. Names, file names and free text in the log come
// from people, so any cell may start that way.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
