package assess

import (
	"strings"
	"testing"

	"rcmguard/internal/model"
)

func answerModel(t *testing.T, answers string) *model.Model {
	t.Helper()
	m, err := model.Load("a.yaml", []byte(tracked[:strings.Index(tracked, "answers:")]+"answers:\n"+answers))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRequiredCannotBeNotApplicable: a required specification must be
// implemented; "not applicable" is refused at its line, except for the
// required entries that bind only some organisations.
func TestRequiredCannotBeNotApplicable(t *testing.T) {
	m := answerModel(t, `  - {question: "164.312(a)(2)(ii)", answer: not_applicable, note: we never have emergencies}
  - {question: "164.314(b)(2)", answer: not_applicable, note: no group health plan}
`)
	err := CheckAnswers(m)
	if err == nil || !strings.Contains(err.Error(), "a.yaml:17:") || !strings.Contains(err.Error(), "164.312(a)(2)(ii) Emergency access procedure is required") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "164.314(b)(2)") {
		t.Errorf("a conditional required entry was refused: %v", err)
	}
}

// TestAddressableNoNeedsTheRecord: an addressable specification answered
// "no" needs why it is not reasonable and appropriate and the equivalent
// measure (164.306(d)(3)); with both, the report shows them.
func TestAddressableNoNeedsTheRecord(t *testing.T) {
	err := CheckAnswers(answerModel(t, `  - {question: "164.312(a)(2)(iii)", answer: "no"}
`))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:17:") || !strings.Contains(err.Error(), "why_not_reasonable") || !strings.Contains(err.Error(), "equivalent_measure") {
		t.Fatalf("got %v", err)
	}
	m := answerModel(t, `  - {question: "164.312(a)(2)(iii)", answer: "no", why_not_reasonable: the lab analyser must stay signed in, equivalent_measure: the analyser room is badge-locked and the screen faces the wall}
`)
	if err := CheckAnswers(m); err != nil {
		t.Fatal(err)
	}
	for _, c := range runModel(t, m, nil).Coverage {
		if c.Citation == "164.312(a)(2)(iii)" && (c.WhyNotReasonable == "" || !strings.Contains(c.EquivalentMeasure, "badge-locked")) {
			t.Errorf("coverage lost the 164.306(d)(3) record: %+v", c)
		}
	}
}

// TestAnswerAboutAnElement: an answer that names an element is that
// element's risk, under an ID of its own, so two systems can answer the
// same question differently; an answer about the organisation keeps its ID.
func TestAnswerAboutAnElement(t *testing.T) {
	m := answerModel(t, `  - {question: "164.310(a)(2)(iv)", answer: partial, note: the vendor keeps none for the PM system, element: pm}
  - {question: "164.310(a)(2)(iv)", answer: partial, note: the server room only}
`)
	if err := CheckAnswers(m); err != nil {
		t.Fatalf("one question answered for an element and for the organisation: %v", err)
	}
	if err := CheckAnswers(answerModel(t, `  - {question: "164.310(a)(2)(iv)", answer: partial, note: a, element: pm}
  - {question: "164.310(a)(2)(iv)", answer: "yes", element: pm}
`)); err == nil || !strings.Contains(err.Error(), "already answered for pm") {
		t.Errorf("the same element answered twice: %v", err)
	}
	res := runModel(t, m, nil)
	var onPM, onOrg bool
	var ids []string
	for _, r := range res.Risks {
		if r.Rule != "ANSWER" {
			continue
		}
		ids = append(ids, r.ID)
		switch r.ID {
		case "ANSWER@164.310(a)(2)(iv)@pm":
			onPM = len(r.Elements) == 1 && r.Elements[0].Kind == "system" && r.Elements[0].ID == "pm" && strings.Contains(r.Elements[0].Label, "PM")
		case "ANSWER@164.310(a)(2)(iv)":
			onOrg = r.Elements[0].Kind == "org"
		}
	}
	if !onPM || !onOrg {
		t.Errorf("answer on the PM system: %t; on the organisation: %t; answer risks: %v", onPM, onOrg, ids)
	}
}
