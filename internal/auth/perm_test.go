package auth

import (
	"errors"
	"testing"
	"time"

	"rcmguard/internal/store"
)

// TestPermissionMatrix spells out every role × action independently of the
// matrix in perm.go: a change there must be made here too, on purpose.
func TestPermissionMatrix(t *testing.T) {
	const (
		O = 1 << iota // owner
		C             // compliance officer
		N             // contributor
		A             // auditor
	)
	want := map[Action]int{
		ActWorkspaceView:     O | C | N | A,
		ActModelView:         O | C | N | A,
		ActModelEdit:         O | C | N,
		ActAssessmentView:    O | C | N | A,
		ActAssessmentRun:     O | C,
		ActAssessmentSignOff: O | C,
		ActRiskView:          O | C | N | A,
		ActRiskUpdate:        O | C | N,
		ActRiskAccept:        O | C,
		ActEvidenceView:      O | C | N | A,
		ActEvidenceUpload:    O | C | N,
		ActReportView:        O | C | N | A,
		ActExport:            O | C | A,
		ActAuditRead:         O | C | A,
		ActUserManage:        O,
		ActTokenManage:       O | C,
		ActClientManage:      O,
		ActAssign:            O | C,
		ActIncidentView:      O | C | N | A,
		ActIncidentEdit:      O | C | N,
		ActIncidentDecide:    O | C,
	}
	if len(want) != len(Actions) {
		t.Fatalf("test covers %d actions; the matrix knows %d", len(want), len(Actions))
	}
	bits := map[Role]int{RoleOwner: O, RoleComplianceOfficer: C, RoleContributor: N, RoleAuditor: A}
	for _, r := range Roles {
		for _, a := range Actions {
			if got, exp := Can(r, a), want[a]&bits[r] != 0; got != exp {
				t.Errorf("Can(%s, %s) = %v; want %v", r, a, got, exp)
			}
		}
	}
	if Can("admin", ActWorkspaceView) || Can(RoleOwner, "nuke") {
		t.Error("unknown role or action allowed")
	}
}

// TestScopedAndCovers: only a contributor's edits are limited to their
// assignments; a wildcard covers its kind but not the other kind, and the
// whole model ("model:*") only by the wildcard itself.
func TestScopedAndCovers(t *testing.T) {
	for _, r := range Roles {
		for _, a := range Actions {
			want := r == RoleContributor && (a == ActModelEdit || a == ActRiskUpdate)
			if got := Scoped(r, a); got != want {
				t.Errorf("Scoped(%s, %s) = %v; want %v", r, a, got, want)
			}
		}
	}
	for _, tc := range []struct {
		assigned []string
		object   string
		want     bool
	}{
		{[]string{"model:systems"}, "model:systems", true},
		{[]string{"model:systems"}, "model:vendors", false},
		{[]string{"model:systems"}, "model:*", false},
		{[]string{"model:*"}, "model:vendors", true},
		{[]string{"model:*"}, "model:*", true},
		{[]string{"model:*"}, "risk:EDI-02@f1", false},
		{[]string{"risk:*"}, "risk:EDI-02@f1", true},
		{[]string{"risk:EDI-02@f1"}, "risk:EDI-02@f1", true},
		{[]string{"risk:EDI-02@f1"}, "risk:EDI-02@f2", false},
		{[]string{"risk:EDI-02@f1"}, "", false},
		{nil, "model:systems", false},
	} {
		m := map[string]bool{}
		for _, a := range tc.assigned {
			m[a] = true
		}
		if got := Covers(m, tc.object); got != tc.want {
			t.Errorf("Covers(%v, %q) = %v; want %v", tc.assigned, tc.object, got, tc.want)
		}
	}
}

func TestAllowedAuditorExpiry(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	m := store.Membership{WorkspaceID: 1, Role: string(RoleAuditor), Expires: now.Add(time.Hour)}
	if err := Allowed(m, ActAuditRead, now); err != nil {
		t.Fatalf("auditor before expiry: %v", err)
	}
	if err := Allowed(m, ActModelEdit, now); !errors.Is(err, ErrForbidden) {
		t.Fatalf("auditor editing: %v; want ErrForbidden", err)
	}
	if err := Allowed(m, ActAuditRead, now.Add(time.Hour)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("auditor at expiry: %v; want ErrForbidden", err)
	}
	if _, err := ParseRole("superuser"); err == nil {
		t.Fatal("ParseRole accepted an unknown role")
	}
}

func TestLockoutSchedule(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{{1, 0}, {4, 0}, {5, time.Minute}, {6, 2 * time.Minute}, {7, 4 * time.Minute}, {11, time.Hour}, {100, time.Hour}} {
		if got := lockoutFor(tc.failures); got != tc.want {
			t.Errorf("lockoutFor(%d) = %v; want %v", tc.failures, got, tc.want)
		}
	}
}
