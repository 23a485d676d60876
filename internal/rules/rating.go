package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"rcmguard/internal/risk"
)

// ThreatClass is a family of threat events with a base likelihood taken
// from public breach statistics. The base is 20 + 60 × share, where share
// is the class's share of large breaches reported to HHS OCR in 2023–2025
// (breach portal, n = 2,276): a class that dominates the reports starts near
// 70, a rare one near 20; a high rating (80+) needs the element's own
// exposure on top. The shares are counts of reported
// breaches, not incident rates, so they serve as priors that the element's
// own facts then move up or down — and every step is shown.
type ThreatClass struct {
	Name        string  `json:"name"`
	Share       float64 `json:"share"` // 0 when no breach-portal statistic applies
	Base        int     `json:"base"`
	Source      string  `json:"source"`
	Adversarial bool    `json:"adversarial"`
}

var threatClasses = map[string]ThreatClass{
	"hacking":                 {"Hacking/IT incident", 0.816, 0, "Hacking/IT Incident: 81.6% of 2023–2025 large-breach reports", true},
	"network_server":          {"Intrusion on a network server or hosted system", 0.667, 0, "Network Server location: 66.7% of 2023–2025 reports", true},
	"email":                   {"Email compromise or misdirected email", 0.222, 0, "Email location: 22.2% of 2023–2025 reports (81.2% of them hacking)", true},
	"business_associate":      {"Breach at or through a business associate", 0.341, 0, "Business Associate Present: 34.1% of 2023–2025 reports, holding 70.6% of individuals affected", true},
	"unauthorized_disclosure": {"Unauthorized access or disclosure by insiders or by mistake", 0.161, 0, "Unauthorized Access/Disclosure: 16.1% of 2023–2025 reports", false},
	"paper_fax_mail":          {"Misdirected or exposed paper, fax or mail", 0.054, 0, "Paper/Films location: 5.4% of 2023–2025 reports", false},
	"theft_loss":              {"Theft or loss of devices or media", 0.018, 0, "Theft 1.4% + Loss 0.4% of 2023–2025 reports", false},
	"disposal":                {"Improper disposal", 0.004, 0, "Improper Disposal: 0.4% of 2023–2025 reports", false},
	"social_engineering":      {"Social engineering and payment diversion", 0.222, 0, "No separate category; email-borne attacks are 22.2% of 2023–2025 reports (HICP 2023 threat 1)", true},
	"outage":                  {"Outage of a system or intermediary", 0, 40, "No breach-portal statistic; rated as a moderate non-adversarial event (SP 800-30 Table G-3) after the 2024 Change Healthcare outage", false},
	"process_gap":             {"Missing administrative safeguard", 0, 40, "Administrative gaps turn incidents into breaches; in OCR's 2016–17 audits only 14% of covered entities and 17% of business associates scored well on risk analysis", false},
	"model_gap":               {"Unknown or unmodelled part of the operation", 0, 30, "An unmodelled pathway cannot be assessed (NIST SP 800-66r2 key activity 1)", false},
}

func init() {
	for k, c := range threatClasses {
		if c.Share > 0 {
			c.Base = 20 + int(60*c.Share+0.5)
		}
		threatClasses[k] = c
	}
}

// ThreatClasses returns the classes by key, for documentation.
func ThreatClasses() map[string]ThreatClass { return threatClasses }

func threatClassNames() []string {
	var out []string
	for k := range threatClasses {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var sensitivityBase = map[string]int{"low": 15, "moderate": 40, "high": 60, "very_high": 70}

// rate computes the likelihood and impact of a rule on an element.
func (r *Rule) rate(el *Element, org map[string]any) (l, i *risk.Rating, err error) {
	tc := threatClasses[r.ThreatClass]
	l = risk.NewRating(tc.Base, fmt.Sprintf("%s (%s)", tc.Name, tc.Source))
	v := el.View
	if el.Kind != KindOrg {
		if tc.Adversarial && v["internet_facing"] == true {
			l.Add("internet-facing", 10, "reachable from the internet, so any attacker can try it")
		}
		if v["offshore"] == true {
			l.Add("offshore", 10, "people or hosting outside the United States are harder to supervise and to hold to account (164.308(a)(3)(ii)(A))")
		}
		if v["vendor_involved"] == true && r.ThreatClass != "business_associate" {
			l.Add("business associate involved", 5, "a vendor runs or performs it; BA-involved reports held 70.6% of individuals affected in 2023–2025")
		}
	}
	if r.Evidence {
		l.Add("observed", 15, "rcmguard observed it in evidence; it is not only declared")
	}
	vars := map[string]any{string(r.AppliesTo): v, string(KindOrg): org}
	for n, a := range r.Likelihood {
		ok, err := r.adjL[n].eval(vars)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			l.Add(a.Name, a.Points, a.Reason)
		}
	}
	l.Finish()

	sens, _ := v["max_sensitivity"].(string)
	base, reason := 0, ""
	for _, c := range r.CIA {
		var b int
		var why string
		switch c {
		case "confidentiality":
			b = sensitivityBase[sens]
			why = fmt.Sprintf("confidentiality of %s-sensitivity data", strings.ReplaceAll(sens, "_", " "))
		case "integrity":
			b = 50
			why = "integrity: altered claims, remittances or payment details misdirect revenue and corrupt records"
		case "availability":
			b = 40
			why = "availability: billing stops while the system or data is out"
		}
		if b > base {
			base, reason = b, why
		}
	}
	i = risk.NewRating(base, reason)
	if n, _ := v["records"].(int); n >= 500 {
		pts, why := 10, fmt.Sprintf("%s individuals in scope: a breach of 500 or more is reported to HHS at once (164.408), and to the media where more than 500 residents of a State are affected (164.406)", comma(n))
		if n >= 5000 {
			pts = 20
		}
		if n >= 50000 {
			pts = 30
		}
		i.Add("individuals", pts, why)
	}
	if v["financial"] == true && slices.Contains(r.CIA, "confidentiality") {
		i.Add("financial data", 10, "card or bank data in scope: fraud as well as privacy harm, and PCI DSS or NACHA obligations")
	}
	if slices.Contains(r.CIA, "availability") {
		rev, _ := org["revenue_per_day"].(float64)
		switch {
		case rev >= 50000:
			i.Add("revenue at risk", 20, fmt.Sprintf("$%s of claims per working day stop during billing downtime", comma(int(rev))))
		case rev >= 5000:
			i.Add("revenue at risk", 10, fmt.Sprintf("$%s of claims per working day stop during billing downtime", comma(int(rev))))
		case rev > 0:
			i.Add("revenue at risk", 0, fmt.Sprintf("$%s of claims per working day stop during billing downtime", comma(int(rev))))
		}
	}
	for n, a := range r.Impact {
		ok, err := r.adjI[n].eval(vars)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			i.Add(a.Name, a.Points, a.Reason)
		}
	}
	i.Finish()
	return l, i, nil
}

// comma formats 12345 as "12,345".
func comma(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + comma(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
