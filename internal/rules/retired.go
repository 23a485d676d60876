package rules

// retired lists the IDs of rules that once shipped and were withdrawn,
// each with why. Decisions on risks are stored by rule ID (EDI-02@f-claims),
// so an ID is never given to another rule, built in or written by a user:
// an old "accepted" would silently attach to a different risk. Withdraw a
// rule by moving its ID here; the rule-ID test holds the built-in set to
// testdata/rule-ids.golden plus this list.
var retired = map[string]string{}
