package monitor

import (
	"encoding/json"
	"strconv"
	"time"
)

// entraSignIn is the part of a Microsoft Graph signIn resource we read
// (learn.microsoft.com, "signIn resource type" and "signInStatus"):
// status.errorCode is 0 for a success and the AADSTS code otherwise.
type entraSignIn struct {
	CreatedDateTime   string `json:"createdDateTime"`
	UserPrincipalName string `json:"userPrincipalName"`
	AppDisplayName    string `json:"appDisplayName"`
	IPAddress         string `json:"ipAddress"`
	ClientAppUsed     string `json:"clientAppUsed"`
	IsInteractive     *bool  `json:"isInteractive"`
	RiskLevel         string `json:"riskLevelAggregated"`
	Status            *struct {
		ErrorCode     *int   `json:"errorCode"`
		FailureReason string `json:"failureReason"`
	} `json:"status"`
	Location struct {
		CountryOrRegion string `json:"countryOrRegion"`
	} `json:"location"`
}

// entraRecord is either a bare signIn (Graph, one object per line as
// `jq -c '.value[]'` writes a list response) or an Azure Monitor
// diagnostic record wrapping one in "properties" (category SignInLogs or
// NonInteractiveUserSignInLogs, as Event Hub and storage exports write).
type entraRecord struct {
	entraSignIn
	Category   string       `json:"category"`
	Properties *entraSignIn `json:"properties"`
}

// AADSTS codes detections use; the rest are kept as error_code.
const (
	entraLocked     = 50053 // account locked: too many sign-ins with a wrong password, or from a blocked address
	entraDisabled   = 50057 // user account is disabled
	entraNoSuchUser = 50034 // the user account does not exist in the directory
)

func parseEntra(line []byte, e *Event) bool {
	var r entraRecord
	if err := json.Unmarshal(line, &r); err != nil {
		return false
	}
	s := &r.entraSignIn
	if r.Properties != nil {
		s = r.Properties
	}
	if s.Status == nil || s.Status.ErrorCode == nil || s.CreatedDateTime == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, s.CreatedDateTime)
	if err != nil || !plausible(t) {
		return false
	}
	code := *s.Status.ErrorCode
	e.Time, e.Source, e.Program = t.UTC(), "entra", s.AppDisplayName
	e.Action, e.User = ActionLogon, s.UserPrincipalName
	e.Outcome = Success
	if code != 0 {
		e.Outcome = Failure
	}
	if s.IPAddress != "" {
		setHost(e, s.IPAddress)
	}
	e.set("error_code", strconv.Itoa(code))
	e.set("reason", s.Status.FailureReason)
	e.set("client_app", s.ClientAppUsed)
	e.set("country", s.Location.CountryOrRegion)
	e.set("risk_level", s.RiskLevel)
	if s.IsInteractive != nil {
		e.set("interactive", strconv.FormatBool(*s.IsInteractive))
	}
	switch code {
	case entraLocked:
		e.set("status", "ACCOUNT_LOCKED_OUT")
	case entraDisabled:
		e.set("status", "ACCOUNT_DISABLED")
	case entraNoSuchUser:
		e.set("status", "USER_DOES_NOT_EXIST")
		e.set("unknown_user", "true")
	}
	return true
}
