package app

import (
	"strings"

	"rcmguard/internal/audit"
)

// actionLabels is how the audit log names each action for people. Every
// audit.Action constant has one (TestEveryActionHasALabel); the model's
// per-part edits are worded by modelChangeLabel. A few older entries were
// written with names that are not constants (yet); they are labelled too,
// so the log reads the same from its first entry.
var actionLabels = map[audit.Action]string{
	audit.LoginFail:            "Sign-in failed (wrong password)",
	audit.LoginLocked:          "Sign-in refused: the account is locked",
	audit.Logout:               "Signed out",
	audit.MFAFail:              "Second sign-in step failed",
	audit.MFAOK:                "Signed in",
	audit.PasswordChange:       "Changed their password",
	audit.PasswordChangeFail:   "Password change refused",
	audit.PasswordChangeLocked: "Password change refused: the account is locked",
	audit.MFALocked:            "Second factor refused: the account is locked",
	audit.PasswordOK:           "Password accepted at sign-in",
	audit.RecoveryCodesReset:   "Made new recovery codes",
	audit.SessionsEnd:          "Ended all sessions",
	audit.SessionsEndOthers:    "Signed out their other sessions",
	audit.SecurityKeyAdd:       "Added a security key",
	audit.SecurityKeyAddFail:   "Adding a security key failed",
	audit.SecurityKeyRemove:    "Removed a security key",
	audit.SecurityKeyUse:       "Signed in with a security key",
	audit.UserCreate:           "Created an account",
	audit.UserDisable:          "Disabled an account",
	audit.UserEnable:           "Enabled an account",
	audit.UserReset:            "Reset an account's sign-in",
	audit.UserList:             "Listed the accounts",
	audit.TokenCreate:          "Created an API token",
	audit.TokenRevoke:          "Revoked an API token",
	audit.InviteCreate:         "Invited a person",
	audit.InviteRevoke:         "Withdrew an invitation",
	audit.InviteAccept:         "Accepted an invitation",
	audit.InviteAcceptFail:     "Invitation refused",
	audit.WorkspaceCreate:      "Created the workspace",
	audit.ClientCreate:         "Added a client workspace",
	audit.SetupTokenIssue:      "Issued a first-run setup token",
	audit.SetupComplete:        "Completed the first-run setup",
	audit.SetupFail:            "First-run setup refused",
	audit.SetupAnswersSave:     "Saved answers of the guided setup",
	audit.ModelFromGuide:       "Built the model from the guided setup",
	audit.MembershipPut:        "Gave a person a role",
	audit.MembershipRemove:     "Removed a person from the workspace",
	audit.AssignmentsSet:       "Changed a person's assigned work",
	audit.KeysRotate:           "Rotated the encryption key",
	audit.BackupRestore:        "Restored a backup",
	audit.ModelRead:            "Viewed the model",
	audit.ModelImport:          "Imported the model",
	audit.ModelOrganization:    "Edited the organisation",
	audit.ModelExport:          "Exported the model",
	audit.AssessmentRun:        "Ran an assessment",
	audit.AssessmentSignOff:    "Signed off an assessment",
	audit.AssessmentExport:     "Downloaded an assessment",
	audit.AuditExport:          "Exported the audit log",
	audit.RiskDecide:           "Decided on a risk",
	audit.RiskAssign:           "Assigned a risk",
	audit.RiskReviewRequest:    "Proposed closing a risk",
	audit.RiskReviewApprove:    "Approved closing a risk",
	audit.RiskReviewReject:     "Rejected closing a risk",
	audit.ViewSave:             "Saved a view of the register or plan",
	audit.ViewDelete:           "Deleted a saved view",
	audit.EvidenceUpload:       "Added evidence",
	audit.EvidenceDelete:       "Deleted evidence",
	audit.EvidenceRead:         "Viewed evidence",
	audit.InviteResend:         "Sent an invitation again",
	audit.EmailVerify:          "Confirmed their e-mail address",
	audit.IncidentOpen:         "Opened an incident",
	audit.IncidentUpdate:       "Edited an incident",
	audit.IncidentStatus:       "Moved an incident on",
	audit.IncidentNote:         "Added to an incident's timeline",
	audit.IncidentPlaybook:     "Chose an incident's playbook",
	audit.IncidentChecklist:    "Worked an incident's checklist",
	audit.IncidentFileAdd:      "Attached evidence to an incident",
	audit.IncidentFileRead:     "Opened an incident's evidence",
	audit.IncidentAssess:       "Signed an incident's breach assessment",
	audit.IncidentActionAdd:    "Recorded a corrective action",
	audit.IncidentActionDone:   "Completed a corrective action",
	audit.IncidentExport:       "Downloaded an incident's notices",
}

// groupedReads are the actions that only read: repeated, by one person of
// one object, they are shown as one line (groupReads).
var groupedReads = map[string]string{
	string(audit.ModelRead):    "viewed the model",
	string(audit.EvidenceRead): "viewed this evidence",
}

// modelParts names the model's lists in the words of the model pages.
var modelParts = map[string]string{
	"flow": "a data flow", "flows": "a data flow", "stages": "a workflow stage", "clients": "a client",
	"systems": "a system", "data": "a data asset", "vendors": "a vendor", "roles": "a workforce role",
	"workflow": "a workflow step", "policies": "a policy", "answers": "an answer", "tracking": "a tracking entry",
}

// ActionLabel is how the audit log names action for people; an action it
// does not know is shown as recorded.
func ActionLabel(action string) string {
	if l, ok := actionLabels[audit.Action(action)]; ok {
		return l
	}
	if l, ok := modelChangeLabel(action); ok {
		return l
	}
	return action
}

func modelChangeLabel(action string) (string, bool) {
	rest, ok := strings.CutPrefix(action, "model.")
	if !ok {
		return "", false
	}
	part, verb, ok := strings.Cut(rest, ".")
	if !ok || part == "" {
		return "", false
	}
	what, ok := modelParts[part]
	if !ok {
		what = "a model entry (" + strings.ReplaceAll(part, "_", " ") + ")"
	}
	switch audit.Verb(verb) {
	case audit.Create:
		return "Added " + what + " to the model", true
	case audit.Update:
		return "Changed " + what + " in the model", true
	case audit.Delete:
		return "Removed " + what + " from the model", true
	}
	return "", false
}
