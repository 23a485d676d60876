package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"rcmguard/internal/store"
)

// Role is a user's role in one workspace.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner             Role = "owner"
	RoleComplianceOfficer Role = "compliance_officer"
	RoleContributor       Role = "contributor"
	RoleAuditor           Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{RoleOwner, RoleComplianceOfficer, RoleContributor, RoleAuditor}

// ParseRole accepts a role name as written in the CLI or a form.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("auth: unknown role %q (want owner, compliance_officer, contributor or auditor)", s)
}

// Action is something a user may do in a workspace.
type Action string

// The actions the permission matrix knows.
const (
	ActWorkspaceView     Action = "workspace.view"
	ActModelView         Action = "model.view"
	ActModelEdit         Action = "model.edit"
	ActAssessmentView    Action = "assessment.view"
	ActAssessmentRun     Action = "assessment.run"
	ActAssessmentSignOff Action = "assessment.signoff"
	ActRiskView          Action = "risk.view"
	ActRiskUpdate        Action = "risk.update"
	ActRiskAccept        Action = "risk.accept"
	ActEvidenceView      Action = "evidence.view"
	ActEvidenceUpload    Action = "evidence.upload"
	ActReportView        Action = "report.view"
	ActExport            Action = "export"
	ActAuditRead         Action = "audit.read"
	ActUserManage        Action = "user.manage"
	ActTokenManage       Action = "token.manage"
	ActClientManage      Action = "client.manage"
	ActAssign            Action = "work.assign"
	// An incident's record is read by everyone who reads the workspace;
	// anyone who edits the model may report and work one (notes,
	// checklist, counts, evidence); only an owner or compliance officer
	// signs the breach assessment, moves its status and closes it.
	ActIncidentView   Action = "incident.view"
	ActIncidentEdit   Action = "incident.edit"
	ActIncidentDecide Action = "incident.decide"
)

// Actions lists every action.
var Actions = []Action{ActWorkspaceView, ActModelView, ActModelEdit, ActAssessmentView, ActAssessmentRun,
	ActAssessmentSignOff, ActRiskView, ActRiskUpdate, ActRiskAccept, ActEvidenceView, ActEvidenceUpload,
	ActReportView, ActExport, ActAuditRead, ActUserManage, ActTokenManage, ActClientManage, ActAssign,
	ActIncidentView, ActIncidentEdit, ActIncidentDecide}

// read is what every role may do: look, never touch.
var read = []Action{ActWorkspaceView, ActModelView, ActAssessmentView, ActRiskView, ActEvidenceView, ActReportView, ActIncidentView}

// matrix is the one permission matrix. Anything not listed is denied.
// Contributors edit the model and evidence and move risks along — only
// what is assigned to them (see Scoped) — but cannot accept a risk, run or
// sign off an assessment; auditors only read, may export what they read
// (that is what they are there for) and read the audit log; owners and
// compliance officers assign work; only owners manage people and client
// workspaces.
var matrix = map[Role]map[Action]bool{
	RoleOwner: set(Actions...),
	RoleComplianceOfficer: set(append(read, ActModelEdit, ActAssessmentRun, ActAssessmentSignOff, ActRiskUpdate,
		ActRiskAccept, ActEvidenceUpload, ActExport, ActAuditRead, ActTokenManage, ActAssign, ActIncidentEdit, ActIncidentDecide)...),
	RoleContributor: set(append(read, ActModelEdit, ActRiskUpdate, ActEvidenceUpload, ActIncidentEdit)...),
	RoleAuditor:     set(append(read, ActExport, ActAuditRead)...),
}

func set(as ...Action) map[Action]bool {
	m := map[Action]bool{}
	for _, a := range as {
		m[a] = true
	}
	return m
}

// Scoped reports whether role may take action only on objects assigned to
// it: a contributor edits the parts of the model and moves the risks that
// an owner or compliance officer assigned to them.
func Scoped(role Role, action Action) bool {
	return role == RoleContributor && (action == ActModelEdit || action == ActRiskUpdate)
}

// Covers reports whether the assigned objects include object, by name or
// through the wildcard of its kind ("model:*", "risk:*"). The wildcard
// object itself ("model:*": the whole model at once, as a YAML import
// replaces it) is covered only by the wildcard.
func Covers(assigned map[string]bool, object string) bool {
	if object == "" {
		return false
	}
	if assigned[object] {
		return true
	}
	kind, _, ok := strings.Cut(object, ":")
	return ok && assigned[kind+":*"]
}

// Can reports whether role may perform action.
func Can(role Role, action Action) bool { return matrix[role][action] }

// ErrForbidden means the user may not do this in this workspace.
var ErrForbidden = errors.New("auth: forbidden")

// Allowed checks a membership against the matrix at time now, including the
// expiry of auditor access. It is the check every handler goes through.
func Allowed(m store.Membership, action Action, now time.Time) error {
	if !m.Expires.IsZero() && !now.Before(m.Expires) {
		return fmt.Errorf("%w: access to workspace %d expired", ErrForbidden, m.WorkspaceID)
	}
	if !Can(Role(m.Role), action) {
		return fmt.Errorf("%w: %s may not %s", ErrForbidden, m.Role, action)
	}
	return nil
}
