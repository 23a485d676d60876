package web

import (
	"net/http"
	"strconv"
	"strings"

	"rcmguard/internal/model"
)

// orgForm holds the organisation form as typed, so a rejected form comes
// back exactly as the user left it.
type orgForm struct {
	Revision         int
	Name             string
	Kind             string
	Workforce        string
	PatientsPerYear  string
	ClaimsPerMonth   string
	AvgReimbursement string
	DaysInAR         string
	SecurityOfficial string
	PrivacyOfficial  string
	Locations        string
	Kinds            []string
	Errors           map[string]string
	General          []string
}

func numText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (s *Server) orgForm(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
		return nil
	}
	if err := s.auditRead(r.Context(), c, "organization"); err != nil {
		return err
	}
	o := m.Organization
	f := orgForm{Revision: wm.Revision, Name: o.Name, Kind: string(o.Kind), Workforce: numText(o.Workforce),
		PatientsPerYear: numText(o.PatientsPerYear), ClaimsPerMonth: numText(o.ClaimsPerMonth),
		AvgReimbursement: strconv.FormatFloat(o.AvgReimbursement, 'f', -1, 64), DaysInAR: numText(o.DaysInAR),
		SecurityOfficial: o.SecurityOfficial, PrivacyOfficial: o.PrivacyOfficial, Locations: numText(o.Locations)}
	return s.renderOrg(w, c, http.StatusOK, f)
}

func (s *Server) renderOrg(w http.ResponseWriter, c *call, status int, f orgForm) error {
	f.Kinds = model.OrgKind("").Enum()
	return s.render(w, status, "org_form", page{Title: "Organisation", Nav: "model", C: c, Data: f})
}

// orgSubmit rewrites the organisation, validates the whole model with the
// YAML loader and saves only when it is valid.
func (s *Server) orgSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	wm, m, ok, err := s.currentModel(r.Context(), c.WS.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := orgForm{Name: v("name"), Kind: v("kind"), Workforce: v("workforce"), PatientsPerYear: v("patients_per_year"),
		ClaimsPerMonth: v("claims_per_month"), AvgReimbursement: v("avg_reimbursement"), DaysInAR: v("days_in_ar"),
		SecurityOfficial: v("security_official"), PrivacyOfficial: v("privacy_official"), Locations: v("locations"),
		Errors: map[string]string{}}
	f.Revision, _ = strconv.Atoi(v("revision"))
	o := &m.Organization
	o.Name, o.Kind, o.SecurityOfficial, o.PrivacyOfficial = f.Name, model.OrgKind(f.Kind), f.SecurityOfficial, f.PrivacyOfficial
	for _, n := range []struct {
		field, text string
		dst         *int
	}{
		{"workforce", f.Workforce, &o.Workforce}, {"patients_per_year", f.PatientsPerYear, &o.PatientsPerYear},
		{"claims_per_month", f.ClaimsPerMonth, &o.ClaimsPerMonth}, {"days_in_ar", f.DaysInAR, &o.DaysInAR},
		{"locations", f.Locations, &o.Locations},
	} {
		if *n.dst, err = formInt(n.text); err != nil {
			f.Errors[n.field] = "Enter a whole number."
		}
	}
	if f.AvgReimbursement == "" {
		o.AvgReimbursement = 0
	} else if o.AvgReimbursement, err = strconv.ParseFloat(f.AvgReimbursement, 64); err != nil {
		f.Errors["avg_reimbursement"] = "Enter an amount in dollars, such as 118.40."
	}
	if len(f.Errors) > 0 {
		return s.renderOrg(w, c, http.StatusUnprocessableEntity, f)
	}
	yamlText, el, err := checkModel(m)
	if err != nil {
		return err
	}
	if len(el) > 0 {
		f.Errors, f.General = fieldErrors(el, "organization")
		return s.renderOrg(w, c, http.StatusUnprocessableEntity, f)
	}
	if f.Revision != wm.Revision {
		f.General = []string{"Someone else saved the model while you were editing. Reload the page to see their changes; yours were not saved."}
		return s.renderOrg(w, c, http.StatusConflict, f)
	}
	if err := s.saveModel(r.Context(), c, yamlText, wm.Revision, "model.organization.edit", nil); err != nil {
		return err
	}
	http.Redirect(w, r, wsPath(c.WS.ID, "/model"), http.StatusSeeOther)
	return nil
}

func formInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}
