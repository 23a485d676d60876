package incident

// Determination is whether an incident is a breach of unsecured PHI, and why.
type Determination struct {
	Breach   bool   `json:"breach"`
	Reason   string `json:"reason"`
	Citation string `json:"citation"`
}

// Determine applies 45 CFR 164.402 in the order the rule reads: the three
// exclusions first, then whether the PHI was unsecured, then the presumption
// of breach that only a documented four-factor assessment showing a low
// probability of compromise rebuts.
func Determine(in *Input) Determination {
	switch in.Exception {
	case ExceptionWorkforceGoodFaith:
		return Determination{false, "not a breach: an unintentional acquisition, access or use by a workforce member or person acting under the authority of the covered entity or business associate, in good faith, within the scope of authority, and not further used or disclosed impermissibly",
			"45 CFR 164.402 (definition of breach, paragraph (1)(i))"}
	case ExceptionInadvertentAuthorized:
		return Determination{false, "not a breach: an inadvertent disclosure by a person authorized to access PHI to another person authorized at the same covered entity, business associate or organized health care arrangement, not further used or disclosed impermissibly",
			"45 CFR 164.402 (definition of breach, paragraph (1)(ii))"}
	case ExceptionCannotRetain:
		return Determination{false, "not a breach: a disclosure where there is a good-faith belief that the unauthorized recipient could not reasonably have retained the information",
			"45 CFR 164.402 (definition of breach, paragraph (1)(iii))"}
	}
	if in.PHISecured {
		// The notification duties of 164.404(a)(1) and 164.410(a)(1) are for
		// "unsecured protected health information": PHI rendered unusable,
		// unreadable or indecipherable by the encryption or destruction
		// methods in HHS's guidance (74 FR 19006, April 2009) is not.
		return Determination{false, "no notification required: the PHI was secured as HHS's guidance specifies (encryption with the key not compromised, or destruction), so it is not unsecured PHI",
			"45 CFR 164.402 (definition of unsecured protected health information); 164.404(a)(1)"}
	}
	if in.LowProbability {
		return Determination{false, "not a breach: the documented four-factor risk assessment demonstrates a low probability that the PHI has been compromised; keep it, it carries the burden of proof",
			"45 CFR 164.402 (definition of breach, paragraph (2)(i)–(iv)); 164.414(b)"}
	}
	return Determination{true, "breach presumed: an impermissible use or disclosure of unsecured PHI with no exclusion claimed and no documented four-factor assessment showing a low probability of compromise",
		"45 CFR 164.402 (definition of breach, paragraph (2))"}
}
