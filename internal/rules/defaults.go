package rules

import "rcmguard/internal/model"

// dataDefaults gives, per data kind, whether it is PHI and how sensitive it
// is when the model does not say. Card and bank data are not PHI on their
// own, but beside PHI they raise impact and bring PCI DSS or NACHA scope.
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
	"card_data":            {false, "high", true},
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
