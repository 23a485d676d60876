package app_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"rcmguard/internal/app"
	"rcmguard/internal/auth"
	"rcmguard/internal/risk"
	"rcmguard/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// TestBulkDecide changes status, owner and due date of several risks at
// once, all or none: owners are members; closures are only ever sent for
// review, even by an owner; acceptance is not taken in bulk; a
// contributor's change touching one risk outside their assignments changes
// nothing.
func TestBulkDecide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		owner, ws := f.as(t, auth.RoleOwner)
		ids := f.risks(t)[:3]
		officer := app.MemberOwner(f.users[auth.RoleComplianceOfficer].ID).String()
		out, err := f.a.BulkDecide(ctx, owner, ws, append(ids, ids[0]), app.BulkChange{Status: ptr(risk.InProgress), Owner: &officer, Due: ptr("2027-02-01")})
		if err != nil || out.Decided != 3 || out.Proposed != 0 {
			t.Fatalf("bulk in progress: %+v, %v", out, err)
		}
		for _, id := range ids {
			d, err := f.st.RiskDecision(ctx, f.ws, id)
			if err != nil || d.Status != "in_progress" || d.Owner != officer || app.FormatDate(d.Due) != "2027-02-01" {
				t.Errorf("%s: %+v, %v", id, d, err)
			}
		}
		owners, err := f.a.WorkspaceOwners(ctx, f.ws)
		if err != nil || owners.Name(officer) != "compliance_officer@example.org" || owners.Name("it") != "IT" ||
			owners.Name("security_official") != "Security official" || len(owners.Choices) != len(auth.Roles)+5 {
			t.Errorf("owner names: %q, %q, %q; %d choices, %v", owners.Name(officer), owners.Name("it"), owners.Name("security_official"), len(owners.Choices), err)
		}
		// The model's people own work too, named with their role; the two
		// who left (an end date in the past) keep their name on what they
		// owned but are offered no more and take nothing new.
		if n := owners.Name("person:dana"); n != "Dana Ruiz (Practice manager)" {
			t.Errorf("a model person is shown as %q", n)
		}
		if n := owners.Name("person:erin"); n != "Erin Walsh (Billers)" || owners.Has("person:erin") {
			for _, c := range owners.Choices {
				if c.Ref == "person:erin" {
					t.Errorf("a person who left is offered as owner (%q)", n)
				}
			}
		}
		if out, err := f.a.BulkDecide(ctx, owner, ws, ids[:1], app.BulkChange{Owner: ptr("person:dana")}); err != nil || out.Decided != 1 {
			t.Errorf("a model person as owner: %+v, %v", out, err)
		}
		if _, err := f.a.BulkDecide(ctx, owner, ws, ids[:1], app.BulkChange{Owner: ptr("person:erin")}); err == nil {
			t.Error("a person who left was made owner")
		}
		if _, err := f.a.BulkDecide(ctx, owner, ws, ids, app.BulkChange{Owner: &officer}); err != nil {
			t.Fatal(err)
		}

		// The owner's own bulk closure goes for review: the decisions stay.
		out, err = f.a.BulkDecide(ctx, owner, ws, ids[:2], app.BulkChange{Status: ptr(risk.Mitigated), Justification: "MFA on since March"})
		if err != nil || out.Proposed != 2 || out.Decided != 0 {
			t.Fatalf("bulk closure: %+v, %v", out, err)
		}
		reviews, _ := f.a.PendingReviews(ctx, owner, ws)
		if len(reviews) != 2 {
			t.Errorf("%d closures waiting for review; want 2", len(reviews))
		}
		if d, _ := f.st.RiskDecision(ctx, f.ws, ids[0]); d.Status != "in_progress" {
			t.Errorf("a closure sent for review changed the decision: %+v", d)
		}

		for name, tc := range map[string]struct {
			ch    app.BulkChange
			field string
		}{
			"accept":             {app.BulkChange{Status: ptr(risk.Accepted)}, "status"},
			"closure, no reason": {app.BulkChange{Status: ptr(risk.FalsePositive)}, "justification"},
			"not a member":       {app.BulkChange{Owner: ptr("user:999999")}, "owner"},
			"not a model person": {app.BulkChange{Owner: ptr("person:p-dana")}, "owner"},
			"bad date":           {app.BulkChange{Due: ptr("next week")}, "due"},
			"nothing":            {app.BulkChange{}, "status"},
		} {
			_, err := f.a.BulkDecide(ctx, owner, ws, ids, tc.ch)
			var es app.Errors
			if !errors.As(err, &es) || es.ByField()[tc.field] == "" {
				t.Errorf("%s: %v; want a problem with %s", name, err, tc.field)
			}
		}
		if _, err := f.a.BulkDecide(ctx, owner, ws, []string{ids[0], "NOPE@x"}, app.BulkChange{Due: ptr("")}); !errors.Is(err, app.ErrMalformed) {
			t.Errorf("unknown risk: %v; want ErrMalformed", err)
		}

		// A contributor assigned one risk may not change two.
		contributor, _ := f.as(t, auth.RoleContributor)
		if err := f.a.AssignRisk(ctx, owner, ws, ids[2], []int64{contributor.User.ID}); err != nil {
			t.Fatal(err)
		}
		_, cws := f.as(t, auth.RoleContributor)
		if _, err := f.a.BulkDecide(ctx, contributor, cws, ids[1:], app.BulkChange{Status: ptr(risk.InDiscussion)}); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("contributor on an unassigned risk: %v; want ErrForbidden", err)
		}
		if d, _ := f.st.RiskDecision(ctx, f.ws, ids[2]); d.Status != "in_progress" {
			t.Errorf("a refused bulk change changed %s: %+v", ids[2], d)
		}
		if out, err := f.a.BulkDecide(ctx, contributor, cws, ids[2:], app.BulkChange{Status: ptr(risk.InDiscussion)}); err != nil || out.Decided != 1 {
			t.Errorf("contributor on their own risk: %+v, %v", out, err)
		}
		auditor, aws := f.as(t, auth.RoleAuditor)
		if _, err := f.a.BulkDecide(ctx, auditor, aws, ids, app.BulkChange{Due: ptr("")}); !errors.Is(err, app.ErrForbidden) {
			t.Errorf("auditor: %v; want ErrForbidden", err)
		}
	})
}

// TestSavedViews keeps a person's views per page, replaces one of the same
// name, keeps only filter parameters, and lets nobody else delete them.
func TestSavedViews(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/rcmguard.db")
	ctx := context.Background()
	auditor, aws := f.as(t, auth.RoleAuditor)
	v, err := f.a.SaveView(ctx, auditor, aws, app.ViewRisks, " Open highs ", url.Values{"level": {"high"}, "status": {"unchecked"}, "page": {"3"}, "evil": {"x"}})
	if err != nil || v.Name != "Open highs" || v.Query != "level=high&status=unchecked" {
		t.Fatalf("save: %+v, %v", v, err)
	}
	if _, err := f.a.SaveView(ctx, auditor, aws, app.ViewRisks, "Open highs", url.Values{"level": {"very_high"}}); err != nil {
		t.Fatal(err)
	}
	views, err := f.a.Views(ctx, auditor, aws, app.ViewRisks)
	if err != nil || len(views) != 1 || views[0].Query != "level=very_high" {
		t.Errorf("views: %+v, %v", views, err)
	}
	if plans, _ := f.a.Views(ctx, auditor, aws, app.ViewPlan); len(plans) != 0 {
		t.Errorf("a register view shows on the plan: %+v", plans)
	}
	owner, ows := f.as(t, auth.RoleOwner)
	if err := f.a.DeleteView(ctx, owner, ows, views[0].ID); err == nil {
		t.Error("another member deleted the auditor's view")
	}
	if _, err := f.a.SaveView(ctx, auditor, aws, app.ViewRisks, "", nil); err == nil {
		t.Error("a view with no name was saved")
	}
	if err := f.a.DeleteView(ctx, auditor, aws, views[0].ID); err != nil {
		t.Error(err)
	}
}
