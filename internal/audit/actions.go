package audit

import (
	"slices"
	"strconv"
	"strings"
)

// Action names what an entry records. Every action the system writes is
// declared here, in one place, so that the log's vocabulary is reviewed
// as a whole and a misspelt action fails to compile or a test (Known)
// instead of writing entries nobody searches for.
type Action string

// The actions, by what they are about: sign-in and accounts, people and
// workspaces, keys and backups, the model, assessments, risks, evidence.
const (
	LoginFail            Action = "auth.login.fail"
	LoginLocked          Action = "auth.login.locked"
	Logout               Action = "auth.logout"
	MFAFail              Action = "auth.mfa.fail"
	MFALocked            Action = "auth.mfa.locked"
	MFAOK                Action = "auth.mfa.ok"
	PasswordChange       Action = "auth.password.change"
	PasswordChangeFail   Action = "auth.password.change.fail"
	PasswordChangeLocked Action = "auth.password.change.locked"
	PasswordOK           Action = "auth.password.ok"
	RecoveryCodesReset   Action = "auth.recovery_codes.reset"
	SessionsEnd          Action = "auth.sessions.end"
	SessionsEndOthers    Action = "auth.sessions.end_others"
	SecurityKeyAdd       Action = "auth.webauthn.add"
	SecurityKeyAddFail   Action = "auth.webauthn.add.fail"
	SecurityKeyRemove    Action = "auth.webauthn.remove"
	SecurityKeyUse       Action = "auth.webauthn.use"
	UserCreate           Action = "user.create"
	UserDisable          Action = "user.disable"
	UserEnable           Action = "user.enable"
	UserReset            Action = "user.reset"
	EmailVerify          Action = "user.email.verify"
	UserList             Action = "user.list"
	TokenCreate          Action = "token.create"
	TokenRevoke          Action = "token.revoke"
	InviteCreate         Action = "invite.create"
	InviteRevoke         Action = "invite.revoke"
	InviteResend         Action = "invite.resend"
	InviteAccept         Action = "invite.accept"
	InviteAcceptFail     Action = "invite.accept.fail"
	WorkspaceCreate      Action = "workspace.create"
	ClientCreate         Action = "client.create"
	MembershipPut        Action = "membership.put"
	MembershipRemove     Action = "membership.remove"
	AssignmentsSet       Action = "assignments.set"
	KeysRotate           Action = "keys.rotate"
	BackupRestore        Action = "backup.restore"
	ModelRead            Action = "model.read"
	ModelImport          Action = "model.import"
	ModelOrganization    Action = "model.organization.edit"
	ModelExport          Action = "export.model"
	AssessmentRun        Action = "assessment.run"
	AssessmentSignOff    Action = "assessment.signoff"
	AssessmentExport     Action = "export.assessment"
	AuditExport          Action = "export.audit"
	RiskDecide           Action = "risk.decide"
	RiskAssign           Action = "risk.assign"
	RiskReviewRequest    Action = "risk.review.request"
	RiskReviewApprove    Action = "risk.review.approve"
	RiskReviewReject     Action = "risk.review.reject"
	EvidenceUpload       Action = "evidence.upload"
	EvidenceDelete       Action = "evidence.delete"
	EvidenceRead         Action = "evidence.read"
	SetupTokenIssue      Action = "setup.token.issue"
	SetupComplete        Action = "setup.complete"
	SetupFail            Action = "setup.fail"
	SetupAnswersSave     Action = "setup.answers.save"
	ModelFromGuide       Action = "model.guide.build"
)

// A person's saved views of the register and the plan.
const (
	ViewSave   Action = "register.view.save"
	ViewDelete Action = "register.view.delete"
)

// Incidents.
const (
	IncidentOpen       Action = "incident.open"
	IncidentUpdate     Action = "incident.update"
	IncidentStatus     Action = "incident.status"
	IncidentNote       Action = "incident.note"
	IncidentPlaybook   Action = "incident.playbook"
	IncidentChecklist  Action = "incident.checklist"
	IncidentFileAdd    Action = "incident.file.add"
	IncidentFileRead   Action = "incident.file.read"
	IncidentAssess     Action = "incident.assess"
	IncidentActionAdd  Action = "incident.action.add"
	IncidentActionDone Action = "incident.action.done"
	IncidentExport     Action = "export.incident"
)

// Verb is what a form edit of one part of the model did to an element.
type Verb string

// The verbs of model edits.
const (
	Create Verb = "create"
	Update Verb = "update"
	Delete Verb = "delete"
)

// fixed lists the actions that are not model part edits.
var fixed = []Action{LoginFail, LoginLocked, Logout, MFAFail, MFALocked, MFAOK, PasswordChange, PasswordChangeFail,
	PasswordChangeLocked, PasswordOK, RecoveryCodesReset, SessionsEnd, SessionsEndOthers, SecurityKeyAdd,
	SecurityKeyAddFail, SecurityKeyRemove, SecurityKeyUse, UserCreate, UserDisable, UserEnable, UserReset, EmailVerify,
	UserList, TokenCreate, TokenRevoke, InviteCreate, InviteRevoke, InviteResend, InviteAccept, InviteAcceptFail,
	WorkspaceCreate, ClientCreate, MembershipPut, MembershipRemove, AssignmentsSet, KeysRotate, BackupRestore, ModelRead,
	ModelImport, ModelOrganization, ModelExport, AssessmentRun, AssessmentSignOff, AssessmentExport, AuditExport, RiskDecide,
	RiskAssign, RiskReviewRequest, RiskReviewApprove, RiskReviewReject, EvidenceUpload, EvidenceDelete, EvidenceRead,
	SetupTokenIssue, SetupComplete, SetupFail, SetupAnswersSave, ModelFromGuide,
	ViewSave, ViewDelete,
	IncidentOpen, IncidentUpdate, IncidentStatus, IncidentNote, IncidentPlaybook, IncidentChecklist, IncidentFileAdd,
	IncidentFileRead, IncidentAssess, IncidentActionAdd, IncidentActionDone, IncidentExport}

// ModelChange is the action of a form edit of one element of a part of the
// model: "model.flow.create", "model.systems.delete". part is the
// singular "flow" for flows, as the log has always said, and the model's
// key for the other lists.
func ModelChange(part string, v Verb) Action {
	return Action("model." + part + "." + string(v))
}

// Known reports whether a is an action declared here.
func Known(a Action) bool {
	if slices.Contains(fixed, a) {
		return true
	}
	rest, ok := strings.CutPrefix(string(a), "model.")
	if !ok {
		return false
	}
	part, verb, ok := strings.Cut(rest, ".")
	return ok && part != "" && slices.Contains([]Verb{Create, Update, Delete}, Verb(verb))
}

// Actor names who acted, as entries record it: a user ("user:12"), a
// command-line user ("cli:alice"), or someone not signed in.
type Actor string

// Anonymous is the actor of an attempt by someone not signed in.
const Anonymous Actor = "anonymous"

// UserActor is the one way a user is named as an actor (and as an object
// of an entry about them).
func UserActor(id int64) Actor { return Actor("user:" + strconv.FormatInt(id, 10)) }

// CLIActor names a command run by a local account; name "" when the
// account cannot be told.
func CLIActor(name string) Actor {
	if name == "" {
		return "cli"
	}
	return Actor("cli:" + name)
}
