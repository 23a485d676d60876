package web

import (
	"errors"
	"net/http"

	"rcmguard/internal/app"
)

// The breach assessment's form (164.402), filled and signed by an owner
// or compliance officer.

// assessmentFormData is the breach assessment's form.
type assessmentFormData struct {
	V          app.IncidentView
	Exceptions []struct{ Key, Title, Citation string }
	Factors    []factorInput
	Form       app.AssessmentForm
	Errs       map[string]string
}

type factorInput struct {
	Key, Title, Citation, Question, Risk, Reason, Err string
}

func (s *Server) assessmentFormPage(w http.ResponseWriter, r *http.Request, c *call, status int, id int64, f app.AssessmentForm, errs map[string]string) error {
	v, err := s.app.Incident(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	d := assessmentFormData{V: v, Exceptions: app.Exceptions, Form: f, Errs: errs}
	for _, q := range app.Factors {
		fi := factorInput{Key: q.Key, Title: q.Title, Citation: q.Citation, Question: q.Question, Err: errs["factor_"+q.Key]}
		if got, ok := f.Factors[q.Key]; ok {
			fi.Risk, fi.Reason = got.Risk, got.Reason
		}
		d.Factors = append(d.Factors, fi)
	}
	return s.render(w, status, "incident_assessment", page{Title: "Is it a breach? " + v.Title, Nav: "incidents", C: c, Data: d})
}

func (s *Server) incidentAssessmentForm(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	v, err := s.app.Incident(r.Context(), c.actor(), c.scope(), id)
	if err != nil {
		return err
	}
	f := app.AssessmentForm{Factors: map[string]app.Factor{}}
	if a := v.Assessment; a != nil {
		f = app.AssessmentForm{Exception: a.Exception, ExceptionReason: a.ExceptionReason, Secured: a.Secured, SecuredReason: a.SecuredReason,
			LowProbability: a.LowProbability, Conclusion: a.Conclusion, Factors: map[string]app.Factor{}}
		for _, fa := range a.Factors {
			f.Factors[fa.Key] = fa
		}
	}
	return s.assessmentFormPage(w, r, c, http.StatusOK, id, f, nil)
}

func (s *Server) incidentAssess(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	f := app.AssessmentForm{Exception: r.PostFormValue("exception"), ExceptionReason: r.PostFormValue("exception_reason"),
		Secured: r.PostFormValue("secured") == "yes", SecuredReason: r.PostFormValue("secured_reason"),
		LowProbability: r.PostFormValue("low_probability") == "yes", Conclusion: r.PostFormValue("conclusion"),
		SignedName: r.PostFormValue("signed_name"), Factors: map[string]app.Factor{}}
	for _, q := range app.Factors {
		risk, reason := r.PostFormValue("factor_"+q.Key), r.PostFormValue("reason_"+q.Key)
		if risk != "" || reason != "" {
			f.Factors[q.Key] = app.Factor{Key: q.Key, Risk: risk, Reason: reason}
		}
	}
	_, err = s.app.AssessIncident(r.Context(), c.actor(), c.scope(), id, f)
	var fields app.Errors
	if errors.As(err, &fields) {
		return s.assessmentFormPage(w, r, c, statusOf(err), id, f, fields.ByField())
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, incidentPath(c, id, "?assessed=1#assessment"), http.StatusSeeOther)
	return nil
}
