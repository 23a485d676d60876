package app

import "rcmguard/internal/catalog"

// Question is a catalog entry as a model's answer refers to it, for the
// pages that list answers: the question in plain language beside the
// citation the YAML uses.
type Question struct {
	Citation string // 164.310(a)(2)(iv)
	Name     string // Maintenance records
	Text     string // the question asked, or the entry's summary when it has none
}

// QuestionOf looks up the catalog entry an answer names (by citation or
// entry ID). ok is false for a reference the catalog does not hold, which
// the model's loader would have refused.
func QuestionOf(ref string) (Question, bool) {
	cat, err := catalog.Load()
	if err != nil {
		return Question{}, false
	}
	e, ok := cat.Lookup(ref)
	if !ok {
		return Question{}, false
	}
	q := Question{Citation: e.Citation, Name: e.Name, Text: e.Question}
	if q.Text == "" {
		q.Text = e.Summary
	}
	return q, true
}

// Questions lists the catalog's entries that ask a question, in the
// catalog's order, for the answer form to choose from.
func Questions() []Question {
	cat, err := catalog.Load()
	if err != nil {
		return nil
	}
	var out []Question
	for _, e := range cat.Entries {
		if e.Question != "" {
			out = append(out, Question{Citation: e.Citation, Name: e.Name, Text: e.Question})
		}
	}
	return out
}
