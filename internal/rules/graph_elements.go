package rules

import (
	"fmt"
	"slices"
	"strings"

	"rcmguard/internal/model"
)

func (b *builder) buildSystems() {
	shared := map[string]int{}
	for _, r := range b.m.Roles {
		for _, a := range r.Access {
			if a.Shared != nil && *a.Shared {
				shared[a.System]++
			}
		}
	}
	for i := range b.m.Systems {
		s := &b.m.Systems[i]
		sc := b.scope(s.Data)
		phi := b.systemPHI(s)
		if phi && sc.records == 0 {
			sc.records = b.m.Organization.PatientsPerYear
		}
		// What the Security Rule's controls reach is electronic PHI on a
		// system the organisation (or its vendor) runs for it: paper
		// records are the Privacy Rule's (164.530(c)), and what an outside
		// recipient keeps is the recipient's.
		electronic := b.electronic(s)
		paperPHI := phi && !electronic
		ephi := phi && electronic && s.Kind != "external_recipient"
		clientHosted := s.Hosting == "client_hosted"
		acc := b.accountCounts(s)
		rem := remoteSummary(s.RemoteAccess)
		mfa := string(s.MFA)
		if mfa == "" {
			mfa = "unknown"
		}
		hosting := string(s.Hosting)
		if hosting == "" {
			hosting = "unknown"
		}
		unique := tri(s.UniqueLogins)
		var contradictions []Contradiction
		path := fmt.Sprintf("systems[%d]", i)
		if c := b.phiContradiction(s); c != "" {
			contradictions = append(contradictions, Contradiction{Path: path + ".stores_phi", Msg: c})
		}
		if shared[s.ID] > 0 {
			if unique == "yes" {
				contradictions = append(contradictions, Contradiction{Path: path + ".unique_logins", Msg: fmt.Sprintf("declared unique_logins: true, but %d role(s) declare a shared login on it", shared[s.ID])})
			}
			unique = "no"
		}
		if acc.shared > 0 {
			if tri(s.UniqueLogins) == "yes" {
				contradictions = append(contradictions, Contradiction{Path: path + ".unique_logins", Msg: fmt.Sprintf("declared unique_logins: true, but it lists %d enabled shared account(s)", acc.shared)})
			}
			unique = "no"
		}
		defaults := tri(s.DefaultCreds)
		if acc.defaults > 0 {
			if defaults == "no" {
				contradictions = append(contradictions, Contradiction{Path: path + ".default_credentials", Msg: fmt.Sprintf("declared default_credentials: false, but it lists %d enabled default account(s)", acc.defaults)})
			}
			defaults = "yes"
		}
		// Facts the model may not state at all are "unknown", so a rule
		// reading them examines nothing where the model is silent.
		eolDays, eolPassed := 9999, "unknown"
		if d, ok := s.EndOfSupport.DaysSince(b.now); ok {
			eolDays, eolPassed = -d, "no"
			if d >= 0 {
				eolPassed = "yes"
			}
		}
		remoteListed := "unknown"
		if len(s.RemoteAccess) > 0 {
			remoteListed = "yes"
		}
		v := map[string]any{
			"id": s.ID, "name": s.Name, "kind": string(s.Kind), "hosting": hosting,
			"vendor": s.Vendor, "vendor_baa": b.vendorBAA(s.Vendor),
			"internet_facing": b.systemExposed(s), "offshore": b.vendorOffshore(s.Vendor),
			"vendor_involved": s.Vendor != "", "records": sc.records, "max_sensitivity": sc.sensitivity,
			"financial": sc.financial, "stores_phi": ephi, "data_kinds": sc.kinds,
			"mfa": mfa, "sso": tri(s.SSO), "role_based_access": tri(s.RoleBasedAccess),
			"unique_logins": unique, "shared_login_roles": shared[s.ID], "shared_accounts": acc.shared,
			"accounts": len(s.Accounts), "default_credentials": defaults,
			"remote_methods": rem.methods, "remote_without_mfa": rem.noMFA, "remote_mfa_unknown": rem.unknownMFA, "remote_exposed": rem.exposed, "rdp_exposed": rem.rdp,
			"end_of_support_passed": eolPassed, "days_to_end_of_support": eolDays, "remote_listed": remoteListed,
			"client_hosted": clientHosted, "consumer": s.Hosting == "consumer", "portable": portableKinds[s.Kind],
			"paper_phi": paperPHI, "clients_held": len(s.Clients), "client_separation": tri(s.ClientSeparation),
			"encryption_at_rest": tri(s.EncryptionAtRest), "auto_logoff_minutes": intOr(s.AutoLogoffMin, -1),
			"patchable": patchable(s.Kind, hosting, s.Vendor), "patch_cadence": cadence(s.Patching.Cadence), "days_since_patch": daysSince(s.Patching.LastPatched, b.now),
			"audit_logging": tri(s.AuditLog.Enabled), "log_review": cadence(s.AuditLog.Review),
			"log_retention_days": s.AuditLog.RetentionDays, "failed_login_alerts": tri(s.AuditLog.FailedLogins),
			"client": s.Client, "backup_frequency": cadence(s.Backup.Frequency),
			"backup": tri(s.Backup.Enabled), "backup_offsite": tri(s.Backup.Offsite), "backup_encrypted": tri(s.Backup.Encrypted),
			"days_since_restore_test": sinceDays(s.Backup.LastRestoreTest, b.now), "antimalware": tri(s.Antimalware),
			"has_api": s.API != nil, "api_auth": "", "api_tls": "unknown", "api_key_rotation": "unknown",
			"api_scoped": "unknown", "api_logged": "unknown", "critical": tri(s.Critical),
			"edi_approved": tri(s.EDIApproved), "locations": len(s.Locations),
			"device_storage": tri(s.DeviceStorage), "media_sanitized": tri(s.Sanitized),
			"phi_contradiction": b.phiContradiction(s) != "", "unique_logins_contradiction": shared[s.ID] > 0 && tri(s.UniqueLogins) == "yes",
			"observed": b.observedList(s.ID),
		}
		if s.API != nil {
			v["api_auth"] = string(s.API.Auth)
			v["api_tls"] = tri(s.API.TLS)
			v["api_key_rotation"] = cadence(s.API.KeyRotation)
			v["api_scoped"] = tri(s.API.ScopedAccess)
			v["api_logged"] = tri(s.API.Logged)
		}
		sc2 := b.scan[s.ID]
		if sc2 == nil {
			sc2 = &scanCounts{newSet(), newSet(), newSet()}
		}
		v["scan_phi_files"], v["scan_x12_files"], v["scan_card_files"] = len(sc2.phi), len(sc2.x12), len(sc2.card)
		e := &Element{Kind: KindSystem, IDs: []string{s.ID}, Label: label("system", s.ID, s.Name), Path: fmt.Sprintf("systems[%d]", i), View: v, Contradictions: contradictions}
		if s.DeviceStorage != nil && *s.DeviceStorage && s.Sanitized == nil {
			e.unknown("media_sanitized", "media_sanitized", "164.310(d)(2)(i)",
				"Are the drives of %s wiped or destroyed, with a record, before it is disposed of, returned or re-used?", e.Label)
		}
		if s.AutoLogoffMin == nil && ephi && logoffKinds[s.Kind] && !clientHosted {
			e.unknown("auto_logoff_minutes", "auto_logoff_minutes", "164.312(a)(2)(iii)",
				"After how many idle minutes does %s log a user off (0 if it never does)?", e.Label)
		}
		if ephi && !clientHosted && tri(s.Backup.Enabled) == "yes" && s.Backup.LastRestoreTest.IsZero() {
			e.unknown("days_since_restore_test", "backup.last_restore_test", "164.308(a)(7)(ii)(D)",
				"When was a restore from the backups of %s last tested (a date, or never)?", e.Label)
		}
		if ephi && clientHosted {
			b.askClient(e, s)
		}
		if ephi && len(s.Clients) >= 2 && s.ClientSeparation == nil {
			e.unknown("client_separation", "client_separation", "164.308(a)(4)(ii)(B)",
				"Is each client's data on %s kept apart, with access limited to the people serving that client?", e.Label)
		}
		for k, r := range s.RemoteAccess {
			if r.Method != "none" && r.MFA == nil && ephi {
				e.unknown("remote_mfa_unknown", fmt.Sprintf("remote_access[%d].mfa", k), "164.312(d)",
					"Does the %s path into %s require a second factor?", r.Method, e.Label)
			}
		}
		b.add(e)
		b.buildAccounts(i, s, ephi, e)
	}
}

func (b *builder) buildFlows() {
	for i := range b.m.Flows {
		f := &b.m.Flows[i]
		from, to := b.systems[f.From], b.systems[f.To]
		sc := b.scope(f.Data)
		enc := encryptedChannels[f.Channel]
		var contradictions []Contradiction
		if f.Encrypted != nil {
			enc = *f.Encrypted
			if enc && unencryptableChannels[f.Channel] {
				// Plain FTP, an analog fax line, a phone call or a letter
				// cannot carry encryption, whatever the model says.
				enc = false
				contradictions = append(contradictions, Contradiction{Path: fmt.Sprintf("flows[%d].encrypted", i), Msg: fmt.Sprintf("declared encrypted: true, but channel %s cannot be encrypted", f.Channel)})
			}
		}
		if f.MinTLS == "1.0" || f.MinTLS == "1.1" {
			// A legacy minimum is encryption in name only; the legacy-TLS
			// rule rates it, and the flow is not counted as protected.
			enc = false
		}
		edi := false
		for _, d := range f.Data {
			if dd, ok := b.data[d]; ok && x12Kinds[dd.Kind] {
				edi = true
			}
		}
		toCH := to.Kind == "clearinghouse_sftp" || to.Kind == "clearinghouse_portal"
		if v, ok := b.vendors[to.Vendor]; ok && v.Clearinghouse != nil && *v.Clearinghouse {
			toCH = true
		}
		fromCH := from.Kind == "clearinghouse_sftp" || from.Kind == "clearinghouse_portal"
		edi = edi && (toCH || fromCH || f.Stage == "edi_submission")
		automated := f.Automated != nil && *f.Automated
		manual := f.Automated != nil && !*f.Automated
		crosses := f.Channel != "local_file" && (outsideChannels[f.Channel] || from.Vendor != to.Vendor ||
			from.Hosting != to.Hosting || b.systemExposed(from) || b.systemExposed(to))
		if f.Channel == "removable_media" || to.Kind == "external_recipient" {
			crosses = true
		}
		// Paper is a form, not a channel: a printed statement mailed or
		// handed over is protected under 164.530(c), never 164.312.
		paper := b.paperOnly(f.Data) && (physicalChannels[f.Channel] || f.Channel == "local_file")
		auth := string(f.Auth)
		if auth == "" {
			auth = "unknown"
		}
		// A flow inherits what was observed on the receiving system only for
		// the protocol its channel speaks: a TLS finding on a portal says
		// nothing about the SFTP upload beside it.
		observed := b.observedList(f.ID)
		for _, o := range b.observedList(f.To) {
			if channelSpeaks(f.Channel, o) && !slices.Contains(observed, o) {
				observed = append(observed, o)
			}
		}
		slices.Sort(observed)
		v := map[string]any{
			"id": f.ID, "from": f.From, "to": f.To, "from_kind": string(from.Kind), "to_kind": string(to.Kind),
			"channel": string(f.Channel), "stage": f.Stage, "carries_phi": sc.phi, "data_kinds": sc.kinds,
			"encrypted": enc, "encryption_declared": tri(f.Encrypted), "min_tls": f.MinTLS, "auth": auth,
			"automated": automated, "manual": manual, "crosses_boundary": crosses, "to_vendor": to.Vendor,
			"to_vendor_baa": b.vendorBAA(to.Vendor), "edi": edi, "to_clearinghouse": toCH,
			"test_separated": tri(f.TestSeparated), "isa_credentials": tri(f.ISACredentials),
			"integrity_check": tri(f.Integrity), "encryption_contradiction": len(contradictions) > 0,
			"paper": paper, "physical": physicalChannels[f.Channel], "to_external": to.Kind == "external_recipient", "to_consumer": to.Hosting == "consumer",
			"internet_facing": b.systemExposed(from) || b.systemExposed(to),
			"offshore":        b.vendorOffshore(from.Vendor) || b.vendorOffshore(to.Vendor),
			"vendor_involved": from.Vendor != "" || to.Vendor != "",
			"records":         sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
			"observed": observed,
		}
		name := fmt.Sprintf("%s → %s", nameOf(from), nameOf(to))
		e := &Element{Kind: KindFlow, IDs: []string{f.ID}, Label: label("flow", f.ID, name), Path: fmt.Sprintf("flows[%d]", i), Stage: f.Stage, View: v, Contradictions: contradictions}
		if f.Automated == nil && sc.phi {
			e.unknown("automated", "automated", "164.312(e)(1)",
				"Is %s sent machine to machine, or does a person send it (automated: true or false)?", e.Label)
		}
		b.add(e)
	}
}

func vendorReach(runsPHI bool, phiFlows int) string {
	switch {
	case runsPHI && phiFlows > 0:
		return fmt.Sprintf("runs a system that holds PHI and receives %d PHI flow(s)", phiFlows)
	case runsPHI:
		return "runs a system that holds PHI"
	}
	return fmt.Sprintf("receives %d PHI flow(s) on its systems", phiFlows)
}

func nameOf(s *model.System) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

func (b *builder) buildVendors() {
	// Index once: which systems each vendor runs and which flows touch each
	// system, so the pass stays linear in the size of the model.
	systemsOf := map[string][]string{}
	for _, s := range b.m.Systems {
		if s.Vendor != "" {
			systemsOf[s.Vendor] = append(systemsOf[s.Vendor], s.ID)
		}
	}
	rolesOf := map[string][]*model.Role{}
	for i := range b.m.Roles {
		if v := b.m.Roles[i].Vendor; v != "" {
			rolesOf[v] = append(rolesOf[v], &b.m.Roles[i])
		}
	}
	flowsAt := map[string][]int{}
	for i, f := range b.m.Flows {
		flowsAt[f.From] = append(flowsAt[f.From], i)
		if f.To != f.From {
			flowsAt[f.To] = append(flowsAt[f.To], i)
		}
	}
	for i := range b.m.Vendors {
		vd := &b.m.Vendors[i]
		systems := systemsOf[vd.ID]
		phiFlows, roleReach := 0, false
		var dataIDs []string
		seen := map[int]bool{}
		for _, sid := range systems {
			for _, fi := range flowsAt[sid] {
				if seen[fi] {
					continue
				}
				seen[fi] = true
				f := b.m.Flows[fi]
				if b.scope(f.Data).phi {
					phiFlows++
				}
				dataIDs = append(dataIDs, f.Data...)
			}
		}
		for _, s := range systems {
			dataIDs = append(dataIDs, b.systems[s].Data...)
		}
		// A vendor whose staff fill an outsourced role reaches the data of
		// every system that role uses.
		for _, r := range rolesOf[vd.ID] {
			for _, a := range r.Access {
				if s := b.systems[a.System]; b.systemPHI(s) {
					dataIDs = append(dataIDs, s.Data...)
					roleReach = true
				}
			}
		}
		sc := b.scope(dataIDs)
		// A card processor that only processes payments is outside HIPAA
		// (Social Security Act section 1179), so payment gateways do not
		// make their vendor a business associate.
		runsPHI, phiIn := false, 0
		for _, id := range systems {
			if s := b.systems[id]; s.Kind != "payment_gateway" {
				runsPHI = runsPHI || b.systemPHI(s)
				phiIn += b.phiInto[id]
			}
		}
		phi := phiFlows > 0 || sc.phi || roleReach
		// A vendor that runs a system holding PHI, or whose system a PHI
		// flow reaches, creates, receives, maintains or transmits PHI for
		// us and so is a business associate (45 CFR 160.103), whatever the
		// model declares; holding it encrypted without the key does not
		// change that (HHS, Guidance on HIPAA & Cloud Computing, 2016).
		implied := runsPHI || phiIn > 0
		var contradictions []Contradiction
		if vd.PHIAccess != nil {
			phi = *vd.PHIAccess
			if !phi && implied {
				phi = true
				contradictions = append(contradictions, Contradiction{Path: fmt.Sprintf("vendors[%d].phi_access", i), Msg: fmt.Sprintf("declared phi_access: false, but it %s, so it is a business associate", vendorReach(runsPHI, phiIn))})
			}
		}
		if vd.BAA.Status == "not_required" && runsPHI {
			contradictions = append(contradictions, Contradiction{Path: fmt.Sprintf("vendors[%d].baa.status", i), Msg: "declares its BAA not_required (a conduit), but it runs a system that holds PHI; the conduit exception covers only transmission without storage"})
		}
		if phi && sc.records == 0 {
			sc.records = b.m.Organization.PatientsPerYear
		}
		noBAA, offshoreSubs := 0, false
		for _, sub := range vd.Subcontractors {
			if sub.BAA != "signed" && sub.BAA != "not_required" {
				noBAA++
			}
			if sub.Offshore != nil && *sub.Offshore {
				offshoreSubs = true
			}
		}
		certs := 0
		for _, c := range vd.Certifications {
			if d, ok := c.Expires.DaysSince(b.now); ok && d > 0 {
				continue
			}
			certs++
		}
		exposed := false
		for _, s := range systems {
			exposed = exposed || b.systemExposed(b.systems[s])
		}
		v := map[string]any{
			"id": vd.ID, "name": vd.Name, "phi_access": phi, "clearinghouse": vd.Clearinghouse != nil && *vd.Clearinghouse,
			"baa_status": b.baaStatus(vd.BAA), "baa_days_to_expiry": b.daysToExpiry(vd.BAA),
			"baa_flowdown": tri(vd.BAA.SubcontractorFlowdown), "breach_notice_days": intOr(vd.BAA.BreachNoticeDays, -1),
			"days_since_risk_analysis": sinceDays(vd.RiskAnalysis, b.now), "days_since_review": sinceDays(vd.LastReview, b.now),
			"certifications": certs, "subcontractors": len(vd.Subcontractors), "subcontractors_without_baa": noBAA,
			"phi_flows": phiFlows, "systems": len(systems), "ba_contradiction": len(contradictions) > 0,
			"internet_facing": exposed, "offshore": (vd.Offshore != nil && *vd.Offshore) || offshoreSubs,
			"vendor_involved": true, "records": sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
		}
		e := &Element{Kind: KindVendor, IDs: []string{vd.ID}, Label: label("vendor", vd.ID, vd.Name), Path: fmt.Sprintf("vendors[%d]", i), View: v, Contradictions: contradictions}
		if vd.Offshore == nil && phi {
			e.unknown("offshore", "offshore", "164.308(b)(1)",
				"Does %s have workforce or hosting outside the United States?", e.Label)
		}
		if phi && vd.RiskAnalysis.IsZero() {
			e.unknown("days_since_risk_analysis", "risk_analysis", "164.308(b)(1)",
				"When did %s last perform its own risk analysis (a date, or never if none is on file)?", e.Label)
		}
		if phi && vd.LastReview.IsZero() {
			e.unknown("days_since_review", "last_review", "164.308(b)(1)",
				"When did you last review %s (a date, or never)?", e.Label)
		}
		if phi && vd.BAA.Status == "signed" && vd.BAA.BreachNoticeDays == nil {
			e.unknown("breach_notice_days", "baa.breach_notice_days", "164.314(a)(2)(i)",
				"How many days does the BAA with %s give it to report a breach (0 if it states none)?", e.Label)
		}
		b.add(e)
	}
}

func (b *builder) buildClients() {
	for i := range b.m.Clients {
		c := &b.m.Clients[i]
		v := map[string]any{
			"id": c.ID, "name": c.Name, "baa_status": b.baaStatus(c.BAA), "baa_days_to_expiry": b.daysToExpiry(c.BAA),
			"breach_notice_days": intOr(c.BAA.BreachNoticeDays, -1), "patients": c.Patients,
			"records": c.Patients, "max_sensitivity": "high", "vendor_involved": false,
		}
		e := &Element{Kind: KindClient, IDs: []string{c.ID}, Label: label("client", c.ID, c.Name), Path: fmt.Sprintf("clients[%d]", i), View: v}
		if c.BAA.Status == "signed" && c.BAA.BreachNoticeDays == nil {
			e.unknown("breach_notice_days", "baa.breach_notice_days", "164.314(a)(2)(i)",
				"How many days does the BAA with %s give you to report a breach to it (0 if it states none)?", e.Label)
		}
		b.add(e)
	}
}

func (b *builder) accessMFA(a model.Access, s *model.System) bool {
	if a.MFA != nil {
		return *a.MFA
	}
	return s.MFA == "all"
}

func (b *builder) buildRoles() {
	for i := range b.m.Roles {
		r := &b.m.Roles[i]
		var dataIDs []string
		phi, admin, sharedN, noMFA := false, false, 0, 0
		for j, a := range r.Access {
			s := b.systems[a.System]
			sysPHI := b.systemPHI(s)
			phi = phi || sysPHI
			admin = admin || a.Level == "admin"
			shared := a.Shared != nil && *a.Shared
			if shared {
				sharedN++
			}
			mfa := b.accessMFA(a, s)
			if sysPHI && b.systemExposed(s) && !mfa {
				noMFA++
			}
			dataIDs = append(dataIDs, s.Data...)
			sc := b.scope(s.Data)
			if sysPHI && sc.records == 0 {
				sc.records = b.m.Organization.PatientsPerYear
			}
			av := map[string]any{
				"id": r.ID + "@" + s.ID, "role": r.ID, "system": s.ID, "system_kind": string(s.Kind), "level": string(a.Level),
				"shared": shared, "mfa": mfa, "system_phi": sysPHI, "location": string(r.Location), "headcount": r.Headcount,
				"internet_facing": b.systemExposed(s), "offshore": r.Location == "offshore" || b.vendorOffshore(r.Vendor),
				"vendor_involved": r.Vendor != "", "records": sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
				"observed": b.observedList(s.ID),
			}
			ae := &Element{Kind: KindAccess, IDs: []string{r.ID, s.ID}, Label: fmt.Sprintf("%s's access to %s", r.Name, nameOf(s)),
				Path: fmt.Sprintf("roles[%d].access[%d]", i, j), View: av}
			// Whether the role shares a login is asked unless the system
			// says every user has their own or lists its accounts.
			if a.Shared == nil && sysPHI && (s.UniqueLogins == nil || !*s.UniqueLogins) && len(s.Accounts) == 0 {
				ae.unknown("shared", "shared_login", "164.312(a)(2)(i)",
					"Do the people in %s share one login on %s, or does each have their own?", r.Name, nameOf(s))
			}
			b.add(ae)
		}
		sc := b.scope(dataIDs)
		if phi && sc.records == 0 {
			sc.records = b.m.Organization.PatientsPerYear
		}
		loc := string(r.Location)
		if loc == "" {
			loc = "onsite"
		}
		tk := string(r.Training.Kind)
		if tk == "" {
			tk = "unknown"
		}
		tp := string(r.Termination.Process)
		if tp == "" {
			tp = "unknown"
		}
		th := r.Termination.MaxHours
		if th == 0 {
			th = -1
		}
		v := map[string]any{
			"id": r.ID, "name": r.Name, "kind": string(r.Kind), "headcount": r.Headcount, "location": loc,
			"outsourced": r.Vendor != "", "vendor_baa": b.vendorBAA(r.Vendor), "phi_access": phi, "admin_access": admin,
			"managed_devices": tri(r.ManagedDevice), "training_kind": tk, "days_since_training": sinceDays(r.Training.Last, b.now),
			"phishing_training": tri(r.Training.Phishing), "termination_process": tp, "termination_hours": th,
			"access_review": cadence(r.AccessReview), "shared_logins": sharedN, "systems_without_mfa": noMFA,
			"internet_facing": noMFA > 0, "offshore": loc == "offshore" || b.vendorOffshore(r.Vendor),
			"vendor_involved": r.Vendor != "", "records": sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
		}
		e := &Element{Kind: KindRole, IDs: []string{r.ID}, Label: label("role", r.ID, r.Name), Path: fmt.Sprintf("roles[%d]", i), View: v}
		if r.Location == "" && phi {
			e.unknown("location", "location", "164.310(b)",
				"Where do the people in %s work: onsite, remote or offshore?", e.Label)
		}
		if phi && r.Training.Kind != "none" && r.Training.Last.IsZero() {
			e.unknown("days_since_training", "training.last", "164.308(a)(5)(i)",
				"When did the people in %s last complete security awareness training (a date, or never)?", e.Label)
		}
		b.add(e)
	}
}

func (b *builder) buildData() {
	type use struct {
		stored, unenc, flows int
		exposed              bool
	}
	uses := map[string]*use{}
	get := func(id string) *use {
		u := uses[id]
		if u == nil {
			u = &use{}
			uses[id] = u
		}
		return u
	}
	for i := range b.m.Systems {
		s := &b.m.Systems[i]
		exposed := b.systemExposed(s)
		for _, d := range s.Data {
			u := get(d)
			u.stored++
			if s.EncryptionAtRest != nil && !*s.EncryptionAtRest {
				u.unenc++
			}
			u.exposed = u.exposed || exposed
		}
	}
	for _, f := range b.m.Flows {
		for _, d := range f.Data {
			get(d).flows++
		}
	}
	for i := range b.m.Data {
		d := &b.m.Data[i]
		sc := b.scope([]string{d.ID})
		u := get(d.ID)
		stored, unenc, flows, exposed := u.stored, u.unenc, u.flows, u.exposed
		v := map[string]any{
			"id": d.ID, "kind": string(d.Kind), "phi": sc.phi, "sensitivity": sc.sensitivity,
			"stored_in": stored, "flows": flows, "unencrypted_stores": unenc,
			"internet_facing": exposed, "records": sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
		}
		b.add(&Element{Kind: KindData, IDs: []string{d.ID}, Label: label("data", d.ID, d.Name), Path: fmt.Sprintf("data[%d]", i), View: v})
	}
}

func (b *builder) buildSteps() {
	flowView := map[string]map[string]any{}
	for _, e := range b.g.Elements[KindFlow] {
		flowView[e.IDs[0]] = e.View
	}
	roleAccess := map[string]bool{}
	for _, r := range b.m.Roles {
		for _, a := range r.Access {
			roleAccess[r.ID+"\x00"+a.System] = true
		}
	}
	for i := range b.m.Workflow {
		st := &b.m.Workflow[i]
		sc := b.scope(st.Data)
		manual, unprotected, physical := 0, 0, 0
		for _, fid := range st.Flows {
			fv := flowView[fid]
			if fv == nil || !fv["carries_phi"].(bool) {
				continue
			}
			// Paper, voice and carried media are not transmissions over an
			// electronic communications network, so 164.312 does not reach
			// them; they are counted apart and rated under 164.530(c) and
			// the device and media controls.
			if physicalChannels[model.Channel(fv["channel"].(string))] || fv["paper"].(bool) {
				if !fv["encrypted"].(bool) {
					physical++
				}
				continue
			}
			if !fv["encrypted"].(bool) || fv["auth"] == "none" || fv["auth"] == "shared_password" {
				unprotected++
			}
			// WF-02 is about electronic handoffs done by hand; paper, voice
			// and media are WF-04's.
			if fv["manual"].(bool) {
				manual++
			}
		}
		access := st.System == "" || roleAccess[st.Role+"\x00"+st.System]
		exposed := false
		if s, ok := b.systems[st.System]; ok {
			exposed = b.systemExposed(s)
		}
		v := map[string]any{
			"id": st.ID, "stage": st.Stage, "role": st.Role, "system": st.System, "phi": sc.phi, "flows": len(st.Flows),
			"manual_phi_flows": manual, "unprotected_phi_flows": unprotected, "physical_phi_flows": physical, "role_has_access": access,
			"internet_facing": exposed, "records": sc.records, "max_sensitivity": sc.sensitivity, "financial": sc.financial,
		}
		b.add(&Element{Kind: KindStep, IDs: []string{st.ID}, Label: fmt.Sprintf("step %s (%s)", st.ID, st.Action), Path: fmt.Sprintf("workflow[%d]", i), Stage: st.Stage, View: v})
	}
}

func (b *builder) buildPolicies() {
	for i := range b.m.Policies {
		p := &b.m.Policies[i]
		// A plan that does not list what it covers is not read as covering
		// nothing: -1, and CONT-08 stays quiet.
		notCovered := -1
		if len(p.Covers) > 0 {
			notCovered = 0
			for _, s := range b.m.Systems {
				if s.Critical != nil && *s.Critical && !slices.Contains(p.Covers, s.ID) {
					notCovered++
				}
			}
		}
		v := map[string]any{
			"id": p.ID, "kind": string(p.Kind), "exists": p.Exists, "available": tri(p.Available),
			"days_since_review": sinceDays(p.LastReviewed, b.now), "days_since_test": sinceDays(p.Tested, b.now),
			"covers": len(p.Covers), "critical_not_covered": notCovered, "covers_listed": map[bool]string{true: "yes", false: "unknown"}[len(p.Covers) > 0],
			"records": b.m.Organization.PatientsPerYear,
		}
		title := p.Title
		if title == "" {
			title = string(p.Kind)
		}
		e := &Element{Kind: KindPolicy, IDs: []string{p.ID}, Label: label("policy", p.ID, title), Path: fmt.Sprintf("policies[%d]", i), View: v}
		if p.Exists && p.LastReviewed.IsZero() {
			e.unknown("days_since_review", "last_reviewed", "164.316(b)(2)(iii)",
				"When was %s last reviewed (a date, or never)?", e.Label)
		}
		if p.Exists && p.Tested.IsZero() && testedKinds[p.Kind] {
			e.unknown("days_since_test", "tested", "164.308(a)(7)(ii)(D)",
				"When was %s last exercised or tested (a date, or never)?", e.Label)
		}
		b.add(e)
	}
}

// channelProtocols maps channels to the probe families that can observe them.
var channelProtocols = map[model.Channel][]string{
	"sftp": {"ssh."}, "ftps": {"ftp.", "tls."}, "ftp": {"ftp."}, "as2": {"tls."}, "https_api": {"tls."},
	"caqh_core": {"tls."}, "https_portal": {"tls."}, "portal_upload": {"tls."}, "email": {"smtp."},
	"encrypted_email": {"smtp.", "tls."}, "direct_messaging": {"smtp.", "tls."}, "fax_cloud": {"tls."}, "vpn": {"tls."},
}

func channelSpeaks(c model.Channel, check string) bool {
	for _, p := range channelProtocols[c] {
		if strings.HasPrefix(check, p) {
			return true
		}
	}
	return false
}
