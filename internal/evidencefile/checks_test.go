package evidencefile

import (
	"slices"
	"testing"

	"rcmguard/internal/evidence"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/probe"
	"rcmguard/internal/x12"
)

// TestEngineChecksKnown keeps evidence's list of check IDs, which rules
// are checked against when they load, in step with what the engines
// write: a check an engine writes but the list lacks would make a rule
// that reads it fail to load.
func TestEngineChecksKnown(t *testing.T) {
	var written []string
	for _, k := range phiscan.Kinds {
		written = append(written, "phi."+string(k))
	}
	written = append(written, "edi."+x12.CheckSummary)
	for _, c := range x12.Checks {
		written = append(written, "edi."+c)
	}
	written = append(written,
		probe.CheckUnreachable,
		probe.CheckTLSSummary, probe.CheckTLSNoHandshake, probe.CheckTLSLegacyProtocol, probe.CheckTLSWeakCipher,
		probe.CheckTLSCertExpired, probe.CheckTLSCertExpiring, probe.CheckTLSCertHostname, probe.CheckTLSCertWeakKey,
		probe.CheckTLSCertWeakSig, probe.CheckTLSCertUntrusted, probe.CheckTLSCertLifespan, probe.CheckTLSCertUnavailable,
		probe.CheckSSHSummary, probe.CheckSSHWeakAlgo, probe.CheckSSHTerrapin, probe.CheckSSHPasswordAuth, probe.CheckSSHNoAuth,
		probe.CheckFTPSummary, probe.CheckFTPNoAuthTLS,
		probe.CheckSMTPSummary, probe.CheckSMTPNoSTARTTLS, probe.CheckSMTPSTARTTLSFailed,
	)
	for _, c := range written {
		if !evidence.KnownCheck(c) {
			t.Errorf("an engine writes %s, which evidence.Checks lacks", c)
		}
	}
	for _, c := range evidence.Checks() {
		if !slices.Contains(written, c) {
			t.Errorf("evidence.Checks lists %s, which no engine writes", c)
		}
	}
}
