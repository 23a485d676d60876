package app

import "rcmguard/internal/catalog"

// CatalogQuestion is a catalog entry as a model's answer refers to it, for the
// pages that list answers: the question in plain language beside the
// citation the YAML uses.
type CatalogQuestion struct {
	Citation string // 164.310(a)(2)(iv)
	Name     string // Maintenance records
	Text     string // the question asked, or the entry's summary when it has none
}

// QuestionOf looks up the catalog entry an answer names (by citation or
// entry ID). ok is false for a reference the catalog does not hold, which
// the model's loader would have refused.
func QuestionOf(ref string) (CatalogQuestion, bool) {
	cat, err := catalog.Load()
	if err != nil {
		return CatalogQuestion{}, false
	}
	e, ok := cat.Lookup(ref)
	if !ok {
		return CatalogQuestion{}, false
	}
	q := CatalogQuestion{Citation: e.Citation, Name: e.Name, Text: e.Question}
	if q.Text == "" {
		q.Text = e.Summary
	}
	return q, true
}

// Questions lists the catalog's entries that ask a question, in the
// catalog's order, for the answer form to choose from.
func Questions() []CatalogQuestion {
	cat, err := catalog.Load()
	if err != nil {
		return nil
	}
	var out []CatalogQuestion
	for _, e := range cat.Entries {
		if e.Question != "" {
			out = append(out, CatalogQuestion{Citation: e.Citation, Name: e.Name, Text: e.Question})
		}
	}
	return out
}
