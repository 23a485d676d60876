package web

import (
	"net/http"

	"rcmguard/internal/auth"
)

// routeKind is the policy a route runs under.
type routeKind int

const (
	public    routeKind = iota // no session needed (sign-in form)
	pending                    // a session past the password step, before MFA
	signedIn                   // a fully signed-in user, no workspace
	workspace                  // a signed-in member of {ws} whose role allows act
)

// handler is one page or action. It writes the response, or returns an
// error that the wrapper turns into an error page; it never writes both.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// route is one row of the route table.
type route struct {
	method string
	path   string
	kind   routeKind
	act    auth.Action // for workspace routes
	h      handler
}

// routeTable is the whole browser surface. Tests walk it to check every
// route against every role, every state-changing route for CSRF, and every
// response for security headers.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/login", public, "", s.loginForm},
		{"POST", "/login", public, "", s.loginSubmit},
		{"GET", "/login/mfa", pending, "", s.mfaForm},
		{"POST", "/login/mfa", pending, "", s.mfaSubmit},
		{"POST", "/login/mfa/key/options", pending, "", s.keyLoginBegin},
		{"POST", "/login/mfa/key", pending, "", s.keyLoginFinish},
		{"GET", "/login/enrol", pending, "", s.enrolForm},
		{"POST", "/login/enrol", pending, "", s.enrolSubmit},
		{"GET", "/invite/{token}", public, "", s.inviteForm},
		{"POST", "/invite/{token}", public, "", s.inviteAccept},
		{"GET", "/setup", public, "", s.setupForm},
		{"POST", "/setup", public, "", s.setupSubmit},
		{"POST", "/logout", signedIn, "", s.logout},
		{"GET", "/{$}", signedIn, "", s.home},
		{"GET", "/account", signedIn, "", s.account},
		{"GET", "/workspaces/new", signedIn, "", s.workspaceNewForm},
		{"POST", "/workspaces", signedIn, "", s.workspaceCreate},
		{"GET", "/my-work", signedIn, "", s.myWork},
		{"POST", "/account/password", signedIn, "", s.accountPassword},
		{"POST", "/account/recovery-codes", signedIn, "", s.accountRecoveryCodes},
		{"POST", "/account/sessions/end-others", signedIn, "", s.accountEndSessions},
		{"POST", "/account/keys/options", signedIn, "", s.keyRegisterBegin},
		{"POST", "/account/keys", signedIn, "", s.keyRegisterFinish},
		{"POST", "/account/keys/remove", signedIn, "", s.keyRemove},

		{"GET", "/w/{ws}", workspace, auth.ActWorkspaceView, s.dashboard},
		{"GET", "/w/{ws}/portfolio", workspace, auth.ActWorkspaceView, s.portfolio},
		{"GET", "/w/{ws}/clients/risks", workspace, auth.ActRiskView, s.clientsRegister},
		{"GET", "/w/{ws}/clients/plan", workspace, auth.ActRiskView, s.clientsPlan},

		{"GET", "/w/{ws}/model", workspace, auth.ActModelView, s.modelView},
		{"GET", "/w/{ws}/model/export", workspace, auth.ActExport, s.modelExport},
		{"POST", "/w/{ws}/model/import", workspace, auth.ActModelEdit, s.modelImport},
		{"GET", "/w/{ws}/model/organization", workspace, auth.ActModelView, s.orgForm}, // read-only to those who may not edit it
		{"POST", "/w/{ws}/model/organization", workspace, auth.ActModelEdit, s.orgSubmit},
		{"GET", "/w/{ws}/model/flows/new", workspace, auth.ActModelEdit, s.flowNewForm},
		{"POST", "/w/{ws}/model/flows", workspace, auth.ActModelEdit, s.flowCreate},
		{"GET", "/w/{ws}/model/flows/{flow}", workspace, auth.ActModelView, s.flowEditForm}, // read-only to those who may not edit it
		{"POST", "/w/{ws}/model/flows/{flow}", workspace, auth.ActModelEdit, s.flowUpdate},
		{"POST", "/w/{ws}/model/flows/{flow}/delete", workspace, auth.ActModelEdit, s.flowDelete},
		{"GET", "/w/{ws}/model/s/{section}", workspace, auth.ActModelView, s.sectionList},
		{"GET", "/w/{ws}/model/s/{section}/new", workspace, auth.ActModelEdit, s.sectionNewForm},
		{"POST", "/w/{ws}/model/s/{section}", workspace, auth.ActModelEdit, s.sectionCreate},
		{"GET", "/w/{ws}/model/s/{section}/{id}", workspace, auth.ActModelView, s.sectionEditForm}, // read-only to those who may not edit it
		{"POST", "/w/{ws}/model/s/{section}/{id}", workspace, auth.ActModelEdit, s.sectionUpdate},
		{"POST", "/w/{ws}/model/s/{section}/{id}/delete", workspace, auth.ActModelEdit, s.sectionDelete},

		{"GET", "/w/{ws}/setup", workspace, auth.ActModelEdit, s.guide},
		{"POST", "/w/{ws}/setup", workspace, auth.ActModelEdit, s.guideTemplate},
		{"POST", "/w/{ws}/setup/build", workspace, auth.ActModelEdit, s.guideBuild},
		{"GET", "/w/{ws}/setup/{step}", workspace, auth.ActModelEdit, s.guideSection},
		{"POST", "/w/{ws}/setup/{step}", workspace, auth.ActModelEdit, s.guideSave},

		{"GET", "/w/{ws}/assessments", workspace, auth.ActAssessmentView, s.assessmentList},
		{"POST", "/w/{ws}/assessments", workspace, auth.ActAssessmentRun, s.assessmentRun},
		{"GET", "/w/{ws}/assessments/diff", workspace, auth.ActAssessmentView, s.assessmentDiff},
		{"GET", "/w/{ws}/assessments/{a}", workspace, auth.ActAssessmentView, s.assessmentView},
		{"POST", "/w/{ws}/assessments/{a}/signoff", workspace, auth.ActAssessmentSignOff, s.assessmentSignOff},
		{"GET", "/w/{ws}/assessments/{a}/summary", workspace, auth.ActAssessmentView, s.summaryView},
		{"GET", "/w/{ws}/assessments/{a}/report", workspace, auth.ActAssessmentView, s.reportView},
		{"GET", "/w/{ws}/assessments/{a}/report.html", workspace, auth.ActExport, s.downloadHTML},
		{"GET", "/w/{ws}/assessments/{a}/result.json", workspace, auth.ActExport, s.downloadJSON},
		{"GET", "/w/{ws}/assessments/{a}/export/{format}", workspace, auth.ActExport, s.downloadExport},

		{"GET", "/w/{ws}/risks", workspace, auth.ActRiskView, s.riskList},
		{"GET", "/w/{ws}/risks/{risk}", workspace, auth.ActRiskView, s.riskDetail},
		{"POST", "/w/{ws}/risks/{risk}", workspace, auth.ActRiskUpdate, s.riskDecide},
		{"POST", "/w/{ws}/risks/{risk}/review", workspace, auth.ActRiskAccept, s.riskReview},
		{"POST", "/w/{ws}/risks/{risk}/assign", workspace, auth.ActAssign, s.riskAssign},
		{"GET", "/w/{ws}/plan", workspace, auth.ActRiskView, s.plan},
		{"POST", "/w/{ws}/risks/bulk", workspace, auth.ActRiskUpdate, s.riskBulk},
		{"GET", "/w/{ws}/register.csv", workspace, auth.ActExport, s.registerCSV},
		{"GET", "/w/{ws}/register.xlsx", workspace, auth.ActExport, s.registerXLSX},
		{"POST", "/w/{ws}/risks/views", workspace, auth.ActRiskView, s.riskViewSave},
		{"POST", "/w/{ws}/risks/views/delete", workspace, auth.ActRiskView, s.riskViewDelete},
		{"GET", "/w/{ws}/plan.csv", workspace, auth.ActExport, s.planCSV},
		{"GET", "/w/{ws}/plan.xlsx", workspace, auth.ActExport, s.planXLSX},
		{"POST", "/w/{ws}/plan/views", workspace, auth.ActRiskView, s.planViewSave},
		{"POST", "/w/{ws}/plan/views/delete", workspace, auth.ActRiskView, s.planViewDelete},
		{"GET", "/w/{ws}/evidence", workspace, auth.ActEvidenceView, s.evidenceList},
		{"POST", "/w/{ws}/evidence", workspace, auth.ActEvidenceUpload, s.evidenceUpload},
		{"GET", "/w/{ws}/evidence/{set}", workspace, auth.ActEvidenceView, s.evidenceSetView},
		{"POST", "/w/{ws}/evidence/{set}/delete", workspace, auth.ActEvidenceUpload, s.evidenceDelete},
		{"GET", "/w/{ws}/incidents", workspace, auth.ActIncidentView, s.incidentList},
		{"GET", "/w/{ws}/incidents/new", workspace, auth.ActIncidentEdit, s.incidentNewForm},
		{"POST", "/w/{ws}/incidents", workspace, auth.ActIncidentEdit, s.incidentCreate},
		{"GET", "/w/{ws}/incidents/log", workspace, auth.ActIncidentView, s.incidentLog},
		{"GET", "/w/{ws}/incidents/{inc}", workspace, auth.ActIncidentView, s.incidentView},
		{"GET", "/w/{ws}/incidents/{inc}/notices", workspace, auth.ActIncidentView, s.incidentNotices},
		{"GET", "/w/{ws}/incidents/{inc}/hhs-portal.csv", workspace, auth.ActExport, s.incidentPortal("csv")},
		{"GET", "/w/{ws}/incidents/{inc}/hhs-portal.json", workspace, auth.ActExport, s.incidentPortal("json")},
		{"GET", "/w/{ws}/incidents/{inc}/edit", workspace, auth.ActIncidentEdit, s.incidentEditForm},
		{"POST", "/w/{ws}/incidents/{inc}", workspace, auth.ActIncidentEdit, s.incidentUpdate},
		{"POST", "/w/{ws}/incidents/{inc}/notes", workspace, auth.ActIncidentEdit, s.incidentNote},
		{"POST", "/w/{ws}/incidents/{inc}/status", workspace, auth.ActIncidentDecide, s.incidentStatus},
		{"POST", "/w/{ws}/incidents/{inc}/playbook", workspace, auth.ActIncidentEdit, s.incidentPlaybook},
		{"POST", "/w/{ws}/incidents/{inc}/checklist", workspace, auth.ActIncidentEdit, s.incidentChecklist},
		{"POST", "/w/{ws}/incidents/{inc}/files", workspace, auth.ActIncidentEdit, s.incidentFileAdd},
		{"GET", "/w/{ws}/incidents/{inc}/files/{file}/download", workspace, auth.ActIncidentView, s.incidentFileDownload},
		{"GET", "/w/{ws}/incidents/{inc}/assessment", workspace, auth.ActIncidentDecide, s.incidentAssessmentForm},
		{"POST", "/w/{ws}/incidents/{inc}/assessment", workspace, auth.ActIncidentDecide, s.incidentAssess},
		{"POST", "/w/{ws}/incidents/{inc}/actions", workspace, auth.ActIncidentEdit, s.incidentActionAdd},
		{"POST", "/w/{ws}/incidents/{inc}/actions/{action}/done", workspace, auth.ActIncidentEdit, s.incidentActionDone},
		{"GET", "/w/{ws}/audit", workspace, auth.ActAuditRead, s.auditLog},
		{"GET", "/w/{ws}/audit/export.csv", workspace, auth.ActAuditRead, s.auditExport},
		{"GET", "/w/{ws}/members", workspace, auth.ActUserManage, s.memberList},
		{"POST", "/w/{ws}/members", workspace, auth.ActUserManage, s.memberAdd},
		{"POST", "/w/{ws}/members/{user}/assignments", workspace, auth.ActUserManage, s.memberAssignments},
		{"POST", "/w/{ws}/members/{user}/remove", workspace, auth.ActUserManage, s.memberRemove},
		{"POST", "/w/{ws}/members/invitations/{invitation}/revoke", workspace, auth.ActUserManage, s.invitationRevoke},
		{"POST", "/w/{ws}/members/invitations/{invitation}/resend", workspace, auth.ActUserManage, s.invitationResend},
		{"POST", "/w/{ws}/clients", workspace, auth.ActClientManage, s.clientCreate},
		{"GET", "/w/{ws}/tokens", workspace, auth.ActTokenManage, s.tokenList},
		{"POST", "/w/{ws}/tokens", workspace, auth.ActTokenManage, s.tokenCreate},
		{"POST", "/w/{ws}/tokens/{token}/delete", workspace, auth.ActTokenManage, s.tokenDelete},
	}
}
