package web

import (
	"net/http"
	"strings"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/store"
)

// apiEvidenceSet is an evidence set as the Evidence page lists it: what
// was uploaded, recognised as what, by whom and when. It holds nothing of
// the sealed facts but their number.
type apiEvidenceSet struct {
	ID         int64     `json:"id"`
	Format     string    `json:"format"`
	FileName   string    `json:"file_name"`
	Facts      int       `json:"facts"`
	Uploaded   time.Time `json:"uploaded_at"`
	UploadedBy string    `json:"uploaded_by,omitempty"` // e-mail address
}

func apiEvidence(set store.EvidenceSet, uploader string) apiEvidenceSet {
	return apiEvidenceSet{ID: set.ID, Format: set.Format, FileName: set.FileName, Facts: set.FactCount,
		Uploaded: set.Uploaded.UTC(), UploadedBy: uploader}
}

// apiEvidenceSets lists the workspace's evidence sets, newest first, as
// the Evidence page does; no facts are opened.
func (s *Server) apiEvidenceSets(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	sets, err := s.st.EvidenceSets(r.Context(), c.WS.ID)
	if err != nil {
		return nil, err
	}
	emails := map[int64]string{}
	out := make([]apiEvidenceSet, 0, len(sets))
	for _, set := range sets {
		out = append(out, apiEvidence(set, s.userEmail(r.Context(), set.UploadedBy, emails)))
	}
	return out, nil
}

// apiFact is one fact of an evidence set. Withheld is set when one of its
// values held an identifier in full and was replaced.
type apiFact struct {
	Source   evidence.Source   `json:"source"`
	Check    string            `json:"check"`
	Target   string            `json:"target"`
	Severity evidence.Severity `json:"severity"`
	Summary  string            `json:"summary"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	Withheld bool              `json:"withheld,omitempty"`
}

type apiEvidenceSetFacts struct {
	apiEvidenceSet
	FactList []apiFact `json:"fact_list"`
}

// apiEvidenceSet returns one evidence set with its facts. The facts are
// the sealed content of the set, so reading them is recorded in the audit
// log, as a view of the model is.
func (s *Server) apiEvidenceSet(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	id, err := evidenceSetID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var facts []apiFact
	set, err := s.app.ReadEvidenceSet(ctx, c.actor(), c.scope(), id, func(fs []evidence.Fact) (withheld int) {
		facts, withheld = withholdIdentifiers(fs)
		return withheld
	})
	if err != nil {
		return nil, err
	}
	return apiEvidenceSetFacts{apiEvidenceSet: apiEvidence(set, s.userEmail(ctx, set.UploadedBy, map[int64]string{})),
		FactList: facts}, nil
}

// apiDeleteEvidence deletes an evidence set of the workspace, audited as
// the Evidence page's delete is; the next assessment runs without it.
func (s *Server) apiDeleteEvidence(w http.ResponseWriter, r *http.Request, c *apiCall) (any, error) {
	id, err := evidenceSetID(r)
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteEvidence(r.Context(), c.actor(), c.scope(), id); err != nil {
		return nil, err
	}
	return apiNoContent{}, nil
}

// withheldText replaces a fact value that holds an identifier in full.
const withheldText = "(withheld: holds an identifier in full)"

// maxFactValue bounds a value the identifier check reads; a longer one is
// withheld unread. The engines write values of a few hundred bytes.
const maxFactValue = 4 << 10

// withholdIdentifiers copies facts for the API, replacing any value in
// which the PHI scanner finds an identifier in full. The engines mask
// every value before it becomes a fact, so their facts pass unchanged;
// an evidence facts file is written by hand or by other tools, and may
// not. It returns the facts and how many had a value withheld.
func withholdIdentifiers(facts []evidence.Fact) ([]apiFact, int) {
	out := make([]apiFact, len(facts))
	sc := phiscan.New(phiscan.Options{})
	// An attribute's name goes before its value as the label the
	// scanner reads ("ssn: …").
	holds := func(label, v string) bool {
		if strings.TrimSpace(v) == "" {
			return false
		}
		if label != "" {
			v = label + ": " + v
		}
		return len(sc.TextPHI(v)) > 0
	}
	n := 0
	for i, f := range facts {
		o := apiFact{Source: f.Source, Check: f.Check, Target: f.Target, Severity: f.Severity, Summary: f.Summary}
		tooLong := len(f.Target) > maxFactValue || len(f.Summary) > maxFactValue
		for k, v := range f.Attrs {
			tooLong = tooLong || len(k) > maxFactValue || len(v) > maxFactValue
		}
		switch {
		case tooLong:
			o.Withheld, o.Target, o.Summary = true, withheldText, withheldText
		default:
			if holds("", f.Target) {
				o.Withheld, o.Target = true, withheldText
			}
			if holds("", f.Summary) {
				o.Withheld, o.Summary = true, withheldText
			}
			if len(f.Attrs) > 0 {
				o.Attrs = make(map[string]string, len(f.Attrs))
				for k, v := range f.Attrs {
					o.Attrs[k] = v
					if holds(k, v) {
						o.Withheld, o.Attrs[k] = true, withheldText
					}
				}
			}
		}
		if o.Withheld {
			n++
		}
		out[i] = o
	}
	return out, n
}
