package rules

import "rcmguard/internal/model"

// dataDefaults gives, per data kind, whether it is PHI and how sensitive it
// is when the model does not say. A patient's payment card details held by a
// covered entity (or its business associate) are individually identifiable
// information about payment for health care, so PHI (45 CFR 160.103), and
// they also bring PCI DSS scope. EFT enrollment and 835 BPR bank details are
// the provider's and payer's accounts, not a patient's, so not PHI unless
// the model says they hold patients' bank accounts.
var dataDefaults = map[model.DataKind]struct {
	phi         bool
	sensitivity string
	financial   bool
}{
	"claims_837":           {true, "high", false},
	"remittance_835":       {true, "high", false},
	"eligibility_270_271":  {true, "moderate", false},
	"claim_status_276_277": {true, "moderate", false},
	"prior_auth_278":       {true, "high", false},
	"attachments_275":      {true, "very_high", false},
	"acknowledgments":      {true, "low", false},
	"demographics":         {true, "moderate", false},
	"insurance":            {true, "moderate", false},
	"guarantor":            {true, "moderate", false},
	"balances":             {true, "moderate", false},
	"card_data":            {true, "high", true},
	"bank_eft":             {false, "high", true},
	"clinical_notes":       {true, "very_high", false},
	"patient_statements":   {true, "moderate", false},
	"credentials":          {false, "high", false},
	"audit_logs":           {true, "moderate", false},
	"other":                {false, "moderate", false},
}

var sensitivityRank = map[string]int{"low": 0, "moderate": 1, "high": 2, "very_high": 3}

// x12Kinds are the data kinds that travel as X12 transactions.
var x12Kinds = map[model.DataKind]bool{
	"claims_837": true, "remittance_835": true, "eligibility_270_271": true,
	"claim_status_276_277": true, "prior_auth_278": true, "attachments_275": true, "acknowledgments": true,
}

// encryptedChannels are encrypted in transit by their nature; others
// (plain FTP, ordinary email whose TLS is opportunistic, analog fax, mail,
// phone, removable media) are not unless the model says so.
var encryptedChannels = map[model.Channel]bool{
	"sftp": true, "ftps": true, "as2": true, "https_api": true, "caqh_core": true, "https_portal": true,
	"encrypted_email": true, "fax_cloud": true, "portal_upload": true, "vpn": true, "direct_messaging": true,
	"local_file": true,
}

// physicalChannels move PHI on paper, by voice or analog fax, or on carried
// media rather than over an electronic communications network.
var physicalChannels = map[model.Channel]bool{
	"print_mail": true, "phone": true, "fax": true, "removable_media": true, "hand_delivery": true,
}

// unencryptableChannels cannot carry encryption at all: a flow on one
// declared encrypted is a contradiction in the model.
var unencryptableChannels = map[model.Channel]bool{"ftp": true, "fax": true, "phone": true, "print_mail": true}

// outsideChannels always leave the organisation's boundary.
var outsideChannels = map[model.Channel]bool{
	"email": true, "encrypted_email": true, "fax": true, "fax_cloud": true, "print_mail": true,
	"phone": true, "removable_media": true, "direct_messaging": true,
}

// phiSystemKinds hold ePHI unless the model says otherwise.
var phiSystemKinds = map[model.SystemKind]bool{
	"ehr": true, "pm_billing": true, "clearinghouse_portal": true, "clearinghouse_sftp": true,
	"payer_portal": true, "document_storage": true, "email": true, "fax": true, "workstation": true,
	"file_share": true, "backup": true, "statement_vendor": true,
}

// exposedSystemKinds face the internet unless the model says otherwise.
var exposedSystemKinds = map[model.SystemKind]bool{
	"clearinghouse_portal": true, "clearinghouse_sftp": true, "payer_portal": true, "email": true,
	"payment_gateway": true, "statement_vendor": true,
}

// serviceKinds are services someone else runs whatever the model says about
// hosting: a payer's or clearinghouse's portal, or (hosted in the cloud) an
// e-mail, file or statement service. Their patching is the provider's, and a
// consumer service with no contract has no patch cycle anyone can set.
var serviceKinds = map[model.SystemKind]bool{
	"payer_portal": true, "clearinghouse_portal": true, "statement_vendor": true, "payment_gateway": true,
}

// cloudServiceKinds are services when they are in the cloud, and software the
// organisation runs only when they are on its premises.
var cloudServiceKinds = map[model.SystemKind]bool{"email": true, "document_storage": true}

// unpatchableKinds have no software the organisation patches (analog fax
// machines, phone systems, USB drives and discs, filing rooms, and what an
// outside recipient runs).
var unpatchableKinds = map[model.SystemKind]bool{
	"fax": true, "phone_system": true, "portable_media": true, "paper_records": true, "external_recipient": true,
}

// patchable reports whether keeping the system patched is the organisation's
// own job: software on its premises, or a server in its own cloud account.
func patchable(kind model.SystemKind, hosting, vendor string) bool {
	if unpatchableKinds[kind] || serviceKinds[kind] {
		return false
	}
	switch hosting {
	case "on_prem":
		return true
	case "cloud":
		return vendor == "" && !cloudServiceKinds[kind]
	}
	return false
}

// logoffKinds are the systems people sit at, where an idle session is
// open to the next person: the ones the automatic-logoff rule looks at.
var logoffKinds = map[model.SystemKind]bool{"ehr": true, "pm_billing": true, "workstation": true, "document_storage": true}

func intOr(p *int, unknown int) int {
	if p == nil {
		return unknown
	}
	return *p
}

func tri(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
}

func cadence(c model.Cadence) string {
	if c == "" {
		return "unknown"
	}
	return string(c)
}
