package web

import (
	"net/http"
	"sort"

	"rcmguard/internal/auth"
	"rcmguard/internal/evidence"
	"rcmguard/internal/store"
)

// evidenceFactsPageSize is how many facts one page of an evidence set
// shows. A scan of a large share holds thousands of facts.
const evidenceFactsPageSize = 100

// factSources name the engine that observed a fact, briefly, for a row.
var factSources = map[evidence.Source]string{
	evidence.SourceScan:  "PHI scan",
	evidence.SourceEDI:   "EDI inspection",
	evidence.SourceProbe: "Endpoint probe",
}

// factSorts are the orders the facts can be shown in; "" is the stored
// order, by subject.
var factSorts = []struct{ Value, Title string }{
	{"", "Subject (file or endpoint)"},
	{"kind", "Kind of fact"},
	{"severity", "Severity, highest first"},
}

// severityBadges give a fact's severity the colour of the risk level of
// the same rank.
var severityBadges = map[evidence.Severity]string{
	evidence.SeverityCritical: "lvl-very_high",
	evidence.SeverityHigh:     "lvl-high",
	evidence.SeverityMedium:   "lvl-moderate",
	evidence.SeverityLow:      "lvl-low",
	evidence.SeverityInfo:     "lvl-very_low",
}

// factValue is one value of a fact as the page shows it: the text, or
// nothing but the mark that it was withheld.
type factValue struct {
	Text     string
	Withheld bool
}

type factAttr struct {
	Key string
	factValue
}

// factRow is one fact, its values already through withholdIdentifiers.
type factRow struct {
	Source   string
	Check    string
	Severity evidence.Severity
	Badge    string
	Target   factValue
	Summary  factValue
	Attrs    []factAttr
	Withheld bool
}

type evidenceSetData struct {
	Set      store.EvidenceSet
	Source   string
	Uploader string
	Withheld int // facts of the whole set with a value withheld
	Rows     []factRow
	Pager    pager
	Sort     string
	Sorts    []struct{ Value, Title string }
	CanEdit  bool
	// The latest assessment, for the risks the facts back.
	HasResult     bool
	Version       int
	NotYetUsed    bool // uploaded after the latest run
	EvidenceRisks int  // risks of the evidence area in the latest run
	RisksLink     string
}

// factRowOf turns a fact as withholdIdentifiers returns it into a row.
func factRowOf(f apiFact) factRow {
	val := func(v string) factValue {
		if f.Withheld && v == withheldText {
			return factValue{Withheld: true}
		}
		return factValue{Text: v}
	}
	row := factRow{Source: factSources[f.Source], Check: f.Check, Severity: f.Severity, Badge: severityBadges[f.Severity],
		Target: val(f.Target), Summary: val(f.Summary), Withheld: f.Withheld}
	if row.Source == "" {
		row.Source = string(f.Source)
	}
	for k, v := range f.Attrs {
		row.Attrs = append(row.Attrs, factAttr{Key: k, factValue: val(v)})
	}
	sort.Slice(row.Attrs, func(i, j int) bool { return row.Attrs[i].Key < row.Attrs[j].Key })
	return row
}

// sortFacts orders the facts for the page; they come in the stored
// order (source, target, check, summary), which stays within ties.
func sortFacts(facts []apiFact, by string) {
	switch by {
	case "kind":
		sort.SliceStable(facts, func(i, j int) bool { return facts[i].Check < facts[j].Check })
	case "severity":
		sort.SliceStable(facts, func(i, j int) bool {
			a, _ := facts[i].Severity.Rank()
			b, _ := facts[j].Severity.Rank()
			return a > b
		})
	}
}

// evidenceSetView shows one evidence set with its facts, a page at a
// time. The facts are the sealed content of the set, so reading them is
// recorded in the audit log as the API's read is; every value goes
// through the API's withholding first. A set of another workspace is not
// found, and nothing is recorded.
func (s *Server) evidenceSetView(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := evidenceSetID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var facts []apiFact
	var withheld int
	set, err := s.app.ReadEvidenceSet(ctx, c.actor(), c.scope(), id, func(fs []evidence.Fact) int {
		facts, withheld = withholdIdentifiers(fs)
		return withheld
	})
	if err != nil {
		return err
	}
	set.Facts = nil // only the withheld copies go any further

	q := r.URL.Query()
	d := evidenceSetData{Set: set, Source: formatTitles[set.Format], Withheld: withheld, Sorts: factSorts,
		CanEdit: auth.Can(c.Role, auth.ActEvidenceUpload), RisksLink: wsPath(c.WS.ID, "/risks?area=evidence")}
	if d.Source == "" {
		d.Source = set.Format
	}
	d.Uploader = s.userEmail(ctx, set.UploadedBy, map[int64]string{})
	for _, o := range factSorts {
		if o.Value == q.Get("sort") {
			d.Sort = o.Value
		}
	}
	sortFacts(facts, d.Sort)
	shown, p := paginate(facts, evidenceFactsPageSize, q, wsPath(c.WS.ID, "/evidence/"+itoa(set.ID)))
	d.Pager = p
	d.Rows = make([]factRow, len(shown))
	for i, f := range shown {
		d.Rows[i] = factRowOf(f)
	}

	a, res, ok, err := s.app.Latest(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	if ok {
		d.HasResult, d.Version, d.NotYetUsed = true, a.Version, set.Uploaded.After(a.Created)
		for i := range res.Risks {
			if res.Risks[i].Area == "evidence" {
				d.EvidenceRisks++
			}
		}
	}
	return s.render(w, http.StatusOK, "evidence_set", page{Title: "Evidence: " + set.FileName, Nav: "evidence", C: c, Data: d})
}
