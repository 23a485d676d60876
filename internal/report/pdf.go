package report

import (
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"rcmguard/internal/assess"
	"rcmguard/internal/risk"
)

// dejaVuSans is embedded so that names and symbols (é, –, →, ≥) print
// wherever the report is made; the PDF core fonts know only Latin-1.
// Licence: fonts/LICENSE (Bitstream Vera; DejaVu changes public domain).
//
//go:embed fonts/DejaVuSans.ttf
var dejaVuSans []byte

const (
	pdfFont   = "dejavu"
	pdfMargin = 18.0 // mm
	pdfLine   = 5.0  // mm, body line height
)

// levelRGB colours the heat map: the NIST SP 800-30 levels from very low
// (green) to very high (red).
var levelRGB = [5][3]int{{46, 125, 50}, {124, 179, 66}, {251, 192, 45}, {245, 124, 0}, {198, 40, 40}}

// PDF writes the analysis as a PDF for an investigator's file: a cover
// with the summary, one headed and bookmarked section for each of OCR's
// nine risk-analysis elements (2010 guidance), the heat map as vector
// graphics, page numbers and a sign-off page.
func PDF(w io.Writer, res *assess.Result) error {
	p := &pdfDoc{f: fpdf.New("P", "mm", "Letter", ""), res: res}
	f := p.f
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin)
	f.AddUTF8FontFromBytes(pdfFont, "", dejaVuSans)
	// The file's dates are the analysis's, not the export's, so the same
	// analysis always gives the same bytes.
	if t, err := time.Parse("2006-01-02", res.AsOf); err == nil {
		f.SetCreationDate(t)
		f.SetModificationDate(t)
	}
	f.SetCatalogSort(true)
	f.SetTitle("Security risk analysis — "+res.Organization.Name, true)
	f.SetSubject("HIPAA Security Rule risk analysis, 45 CFR 164.308(a)(1)(ii)(A)", true)
	f.SetCreator(res.Tool, true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		p.font(8, 100)
		f.CellFormat(0, 5, fmt.Sprintf("%s · security risk analysis as of %s", res.Organization.Name, res.AsOf), "", 0, "L", false, 0, "")
		f.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})

	p.cover()
	p.documentControl()
	elements := map[int]func(){1: p.scope, 2: p.dataCollection, 3: p.threats, 4: p.measures, 5: p.likelihood, 6: p.impact, 7: p.level, 8: p.documentation, 9: p.review}
	for _, e := range res.OCRElements {
		p.section(fmt.Sprintf("%d. %s", e.Number, e.Element))
		p.para(e.Met)
		p.note("Where in this analysis: " + e.Section + ".")
		if fn, ok := elements[e.Number]; ok {
			fn()
		}
	}
	p.signOff()
	if err := f.Output(w); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	return nil
}

type pdfDoc struct {
	f   *fpdf.Fpdf
	res *assess.Result
}

func (p *pdfDoc) font(size float64, grey int) {
	p.f.SetFont(pdfFont, "", size)
	p.f.SetTextColor(grey/3, grey/3, grey/3)
	if grey == 0 {
		p.f.SetTextColor(0, 0, 0)
	}
}

// section starts a new page with a heading and a bookmark.
func (p *pdfDoc) section(title string) {
	p.f.AddPage()
	p.f.Bookmark(title, 0, -1)
	p.font(16, 0)
	p.f.SetTextColor(20, 60, 110)
	p.f.MultiCell(0, 8, title, "", "L", false)
	p.f.Ln(2)
}

func (p *pdfDoc) sub(title string) {
	p.f.Ln(2)
	p.f.Bookmark(title, 1, -1)
	p.font(12, 0)
	p.f.SetTextColor(20, 60, 110)
	p.f.MultiCell(0, 6, title, "", "L", false)
	p.f.Ln(1)
}

func (p *pdfDoc) para(text string) {
	p.font(10, 0)
	p.f.MultiCell(0, pdfLine, text, "", "L", false)
	p.f.Ln(1)
}

func (p *pdfDoc) note(text string) {
	p.font(9, 180)
	p.f.MultiCell(0, 4.5, text, "", "L", false)
	p.f.Ln(1)
}

// item prints a heading line and indented detail lines, kept readable in
// the narrow layout a list of risks needs.
func (p *pdfDoc) item(head string, lines ...string) {
	p.font(10, 0)
	p.f.MultiCell(0, pdfLine, head, "", "L", false)
	p.font(9, 150)
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		p.f.SetX(pdfMargin + 5)
		p.f.MultiCell(0, 4.5, l, "", "L", false)
	}
	p.f.Ln(1.5)
}

func (p *pdfDoc) cover() {
	res := p.res
	f := p.f
	f.AddPage()
	f.Bookmark("Summary", 0, -1)
	p.font(22, 0)
	f.SetTextColor(20, 60, 110)
	f.MultiCell(0, 11, "Security risk analysis", "", "L", false)
	p.font(14, 0)
	f.MultiCell(0, 8, res.Organization.Name, "", "L", false)
	f.Ln(3)
	a := res.Assessment
	kv := [][2]string{
		{"As of", res.AsOf},
		{"Organization", strings.ReplaceAll(res.Organization.Kind, "_", " ")},
		{"Regulation", regulationLabel(res.Regulation)},
		{"Assessor", a.Assessor},
		{"Security official", res.Organization.SecurityOfficial},
		{"Previous analysis", a.Previous},
		{"Produced by", res.Tool},
	}
	for _, x := range kv {
		if x[1] == "" {
			continue
		}
		p.font(10, 150)
		f.CellFormat(40, pdfLine, x[0], "", 0, "L", false, 0, "")
		p.font(10, 0)
		f.MultiCell(0, pdfLine, x[1], "", "L", false)
	}
	p.sub("Scope")
	if a.ScopeKind == "billing" {
		p.para("Billing scope: the ePHI that " + res.Organization.Name + " creates, receives, maintains or transmits in its own billing operation.")
	} else {
		p.para("Enterprise scope: all ePHI that " + res.Organization.Name + " creates, receives, maintains or transmits, in every system, location and form (164.308(a)(1)(ii)(A)).")
	}
	if a.Scope != "" {
		p.para(a.Scope)
	}
	for _, l := range []struct {
		head  string
		items []string
	}{{"In scope", a.InScope}, {"Out of scope", a.OutOfScope}} {
		if len(l.items) > 0 {
			p.para(l.head + ": " + strings.Join(l.items, "; ") + ".")
		}
	}
	s := res.Summary
	p.sub("Findings")
	var parts []string
	for l := risk.VeryHigh; l >= risk.VeryLow; l-- {
		if n := s.OpenByLevel[l.Slug()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, l))
		}
	}
	open := fmt.Sprintf("%d threat–vulnerability pairs rated, %d open", s.Risks, s.Open)
	if len(parts) > 0 {
		open += " (" + strings.Join(parts, ", ") + ")"
	}
	p.para(open + ".")
	c := s.Coverage
	p.para(fmt.Sprintf("Coverage: all %d implementation specifications and %d standards without specifications — %d examined by rules, %d answered, %d not applicable, %d open questions.",
		c.Specifications, c.Standards, c.ByRules, c.ByAnswers, c.NotApplicable, c.Open))
	if cf := s.Confidence; cf.Level != "" {
		p.para(fmt.Sprintf("Confidence: %s — %d facts the model leaves unknown, %d risks resting on unknowns (provisional).", cf.Level, cf.UnknownFacts, cf.RisksOnUnknowns))
	}
	if e := s.Evidence; e.Pairs > 0 {
		p.para(fmt.Sprintf("Every threat–vulnerability pair rated: %d, of which %d with their safeguard in place. %d of %d current measures (%s) are verified by evidence; the rest rest on the model's declarations.",
			e.Pairs, e.PairsInPlace, e.MeasuresVerified, e.Measures, pct(e.Share)))
	}
	p.para(fmt.Sprintf("Revenue at risk: $%s per working day of billing downtime.", money(res.Organization.RevenuePerDay)))
	p.note("The document control follows; then OCR's nine elements of a risk analysis (Guidance on Risk Analysis Requirements under the HIPAA Security Rule, 2010), in order; the last page is the sign-off.")
}

func (p *pdfDoc) scope() {
	in := p.res.Inventory
	p.sub("Systems")
	for _, s := range in.Systems {
		vendor := ""
		if s.Vendor != "" {
			vendor = ", vendor " + s.Vendor
		}
		p.item(s.Name, fmt.Sprintf("%s, hosted %s%s · PHI %s · MFA %s · encryption at rest %s · internet-facing %s · %d open risks",
			s.Kind, s.Hosting, vendor, yesNo(s.PHI), s.MFA, s.Encrypted, yesNo(s.InternetFacing), s.Risks))
	}
	if len(in.Roles) > 0 {
		p.sub("Roles")
		for _, r := range in.Roles {
			p.item(r.Name, fmt.Sprintf("%s · %s · %d people · training %s · systems %s", r.Kind, r.Location, r.Headcount, r.Training, strings.Join(r.Systems, ", ")))
		}
	}
	if len(in.Clients) > 0 {
		p.sub("Clients")
		for _, c := range in.Clients {
			p.item(c.Name, fmt.Sprintf("BAA %s%s · %d patients", c.BAA, expiry(c.Expires), c.Patients))
		}
	}
}

func (p *pdfDoc) dataCollection() {
	res := p.res
	in := res.Inventory
	p.sub("Data")
	for _, d := range in.Data {
		p.item(d.Name, fmt.Sprintf("%s · sensitivity %s · PHI %s · %d records", d.Kind, d.Sensitivity, yesNo(d.PHI), d.Records))
	}
	p.sub("Flows")
	for _, fl := range in.Flows {
		p.item(fl.FromName+" → "+fl.ToName, fmt.Sprintf("%s · stage %s · auth %s · encrypted %s · PHI %s · data %s · %d open risks",
			fl.Channel, fl.Stage, fl.Auth, yesNo(fl.Encrypted), yesNo(fl.PHI), strings.Join(fl.Data, ", "), fl.Risks))
	}
	p.sub("Data-flow diagram")
	p.flowDiagram()
	p.sub("Vendors")
	for _, v := range in.Vendors {
		p.item(v.Name, fmt.Sprintf("BAA %s%s · PHI access %s · offshore %s · services %s · %d open risks",
			v.BAA, expiry(v.Expires), yesNo(v.PHI), yesNo(v.Offshore), strings.Join(v.Services, ", "), v.Risks))
	}
	p.sub("Evidence")
	ev := res.Evidence
	if ev.Facts == 0 && len(ev.Unmatched) == 0 {
		p.para("No evidence files were given: every control in this analysis is as declared in the model.")
		return
	}
	for _, set := range ev.Sets {
		p.item(set.Name, fmt.Sprintf("%s · %d facts%s", set.Source, set.Count, prefixed(" · dated ", set.Date)))
	}
	if ev.Facts > 0 {
		srcs := make([]string, 0, len(ev.BySource))
		for s, n := range ev.BySource {
			srcs = append(srcs, fmt.Sprintf("%s %d", s, n))
		}
		sort.Strings(srcs)
		p.para(fmt.Sprintf("%d evidence facts used (%s).", ev.Facts, strings.Join(srcs, ", ")))
	}
	for _, o := range ev.Observed {
		p.item(o.Element, "checks seen: "+strings.Join(o.Checks, ", "))
	}
	if len(ev.Unmatched) > 0 {
		p.note(fmt.Sprintf("%d facts match no modelled element:", len(ev.Unmatched)))
		for _, fct := range ev.Unmatched {
			p.item(fmt.Sprintf("%s %s — %s", fct.Source, fct.Check, fct.Target), fct.Summary)
		}
	}
}

func (p *pdfDoc) threats() {
	p.sub("Risk register")
	for i := range p.res.Risks {
		r := &p.res.Risks[i]
		var cites []string
		for _, c := range r.Citations {
			cites = append(cites, c.Citation)
		}
		lines := []string{
			"Elements: " + elementNames(r.Elements),
			"Threat: " + r.Threat,
			"Vulnerability: " + r.Vulnerability,
			"Why: " + r.Why,
			"Likelihood: " + r.Likelihood.Arithmetic(),
			r.Likelihood.Uncertainty,
			"Impact (Table H-3): " + r.Impact.Arithmetic(),
			"Residual: " + r.Residual.Arithmetic,
			fmt.Sprintf("Level (Table I-2): %s (%d; HHS SRA Tool %s) · residual after mitigation %s · status %s · owner %s", r.Level.Title(), r.Value, r.SRATool, r.Residual.Level.Title(), r.Status.Title(), r.Owner),
			"Citations: " + strings.Join(cites, ", "),
		}
		if r.Basis == assess.BasisBusiness {
			lines = append(lines, assess.BusinessLabel+".")
		}
		if len(r.RestsOn) > 0 {
			lines = append(lines, "Provisional: rests on facts the model leaves unknown ("+strings.Join(r.RestsOn, ", ")+").")
		}
		p.item(r.ID+" — "+r.Title, lines...)
	}
}

func (p *pdfDoc) measures() {
	p.pairs()
	p.sub("Coverage of the Security Rule")
	for _, c := range p.res.Coverage {
		var lines []string
		switch c.Status {
		case "rules":
			lines = append(lines, fmt.Sprintf("Examined by rules %s; %d risks.", strings.Join(c.Rules, ", "), c.Risks))
		case "answered":
			lines = append(lines, "Answered: "+strings.ReplaceAll(c.Answer, "_", " "))
		case "not_applicable":
			lines = append(lines, "Not applicable.")
		default:
			lines = append(lines, "Open question: no rule or answer examined it.")
		}
		lines = append(lines, c.Note, c.Evidence)
		if c.WhyNotReasonable != "" {
			lines = append(lines, "Not reasonable and appropriate because: "+c.WhyNotReasonable, "Equivalent measure: "+c.EquivalentMeasure)
		}
		p.item(fmt.Sprintf("%s %s (%s)", c.Citation, c.Name, c.Type), lines...)
	}
}

// distribution prints how many risks are at each level of one scale.
func (p *pdfDoc) distribution(of func(*assess.Risk) risk.Level) {
	var n [5]int
	for i := range p.res.Risks {
		if l := of(&p.res.Risks[i]); l >= risk.VeryLow && l <= risk.VeryHigh {
			n[l]++
		}
	}
	var parts []string
	for l := risk.VeryHigh; l >= risk.VeryLow; l-- {
		parts = append(parts, fmt.Sprintf("%s %d", l.Title(), n[l]))
	}
	p.para("Risks by level: " + strings.Join(parts, " · ") + ".")
}

func (p *pdfDoc) likelihood() {
	m := p.res.Method
	p.sub("Method")
	p.para(m.Name + ".")
	p.para("Step 1 — likelihood of threat event initiation (adversarial threat source, Table G-2) or occurrence (non-adversarial, Table G-3): the threat class's base rate, raised by the element's exposure. Step 2 — likelihood that the event, once initiated or occurring, results in adverse impact (Table G-4): Moderate where the safeguard is missing, Low where it is in place as declared, Very Low where evidence shows it working. Table G-5 combines the two; the levels are Very Low, Low, Moderate, High and Very High.")
	if len(m.BaseRates) > 0 {
		p.sub("Base rates")
		for _, b := range m.BaseRates {
			share := "no breach-portal statistic"
			if b.Share > 0 {
				share = fmt.Sprintf("%.1f%% of reports", b.Share*100)
			}
			p.item(fmt.Sprintf("%s — Table %s, starting value %d (%s)", b.Name, b.Table, b.Value, risk.LevelOf(b.Value).Title()), share+"; "+b.Source)
		}
		p.para("What they measure: " + m.Measures)
		p.para("What they do not measure: " + m.DoesNotMeasure)
	}
	if m.Uncertainty != "" {
		p.para("Uncertainty: " + m.Uncertainty)
	}
	p.sub("Distribution")
	p.distribution(func(r *assess.Risk) risk.Level { return r.Likelihood.Level })
	p.note("Each risk's two likelihood steps, with their bases, every factor and the reason for it, are in section 3.")
}

func (p *pdfDoc) impact() {
	p.distribution(func(r *assess.Risk) risk.Level { return r.Impact.Level })
	p.note("Each risk's impact, with its base, every factor and the reason for it, is in section 3.")
}

func (p *pdfDoc) level() {
	p.distribution(func(r *assess.Risk) risk.Level { return r.Level })
	p.sub("Heat map of open risks")
	p.heatMap()
}

// heatMap draws the 5×5 likelihood/impact matrix of open risks as vector
// graphics, each cell in the colour of its NIST SP 800-30 level.
func (p *pdfDoc) heatMap() {
	f := p.f
	const cell, label = 22.0, 28.0
	if f.GetY()+6*cell+12 > 279-pdfMargin {
		f.AddPage()
	}
	x0, y0 := pdfMargin+label, f.GetY()+2
	p.font(8, 120)
	for li := 4; li >= 0; li-- {
		y := y0 + float64(4-li)*cell
		f.SetXY(pdfMargin, y+cell/2-2.5)
		f.CellFormat(label-2, 5, risk.Level(li).Title(), "", 0, "R", false, 0, "")
		for ii := 0; ii < 5; ii++ {
			lv := risk.Matrix(risk.Level(li), risk.Level(ii))
			c := levelRGB[lv]
			f.SetFillColor(c[0], c[1], c[2])
			f.SetDrawColor(255, 255, 255)
			f.Rect(x0+float64(ii)*cell, y, cell, cell, "FD")
			if n := p.res.Summary.HeatMap[li][ii]; n > 0 {
				p.font(12, 0)
				f.SetTextColor(255, 255, 255)
				f.SetXY(x0+float64(ii)*cell, y+cell/2-3)
				f.CellFormat(cell, 6, fmt.Sprint(n), "", 0, "C", false, 0, "")
				p.font(8, 120)
			}
		}
	}
	yb := y0 + 5*cell + 1
	for ii := 0; ii < 5; ii++ {
		f.SetXY(x0+float64(ii)*cell, yb)
		f.CellFormat(cell, 5, risk.Level(ii).Title(), "", 0, "C", false, 0, "")
	}
	f.SetXY(x0, yb+5)
	f.CellFormat(5*cell, 5, "Impact →  (rows: likelihood)", "", 0, "C", false, 0, "")
	f.SetY(yb + 12)
	p.note("Levels per NIST SP 800-30 Rev. 1 Table I-2. Where the HHS SRA Tool's three levels are shown, its middle level is \"Medium\".")
}

func (p *pdfDoc) documentation() {
	res := p.res
	p.sub("Risk management plan")
	for _, it := range res.Plan {
		lines := []string{
			fmt.Sprintf("%s · owner %s%s · due %s · effort %s · status %s · residual %s", it.RiskID, it.Owner, prefixed(" — ", it.OwnerName), it.Due, it.Effort, statusTitle(it.Status), it.Residual.Title()),
			it.Action,
		}
		if it.Basis == assess.BasisBusiness {
			lines = append(lines, assess.BusinessLabel+".")
		}
		p.item(fmt.Sprintf("%d. %s — %s", it.Rank, it.Level.Title(), it.Title), lines...)
	}
	if len(res.Questions) > 0 {
		p.sub("Open questions")
		for _, q := range res.Questions {
			var where string
			if q.Field != "" {
				where = "State it at " + q.Field
			}
			p.item(q.Citation+" "+q.Name, q.Question, where)
		}
	}
	if len(res.Warnings) > 0 {
		p.sub("Warnings")
		for _, w := range res.Warnings {
			p.item(w)
		}
	}
}

func (p *pdfDoc) review() {
	a := p.res.Assessment
	if a.Previous != "" {
		p.para(fmt.Sprintf("Previous analysis: %s. This analysis: %s.", a.Previous, p.res.AsOf))
	} else {
		p.para(fmt.Sprintf("This analysis: %s. No previous analysis is recorded in the model.", p.res.AsOf))
	}
	var tracked []string
	for i := range p.res.Risks {
		if r := &p.res.Risks[i]; r.Tracking != nil {
			tracked = append(tracked, fmt.Sprintf("%s: %s", r.ID, r.Status.Title()))
		}
	}
	if len(tracked) > 0 {
		p.sub("Recorded decisions")
		for _, t := range tracked {
			p.item(t)
		}
	}
}

func (p *pdfDoc) signOff() {
	f := p.f
	p.section("Sign-off")
	p.para("I have reviewed this security risk analysis (45 CFR 164.308(a)(1)(ii)(A)) and approve the risk management plan in section 8 (164.308(a)(1)(ii)(B)).")
	f.Ln(4)
	if s := p.res.Assessment.SignOff; s != nil {
		p.para(fmt.Sprintf("Analysis approved by %s%s on %s.", s.Name, prefixed(", ", s.Title), s.Date))
	}
	if a := p.res.DocumentControl.PlanApproval; a != nil {
		p.para(fmt.Sprintf("Risk management plan approved by %s%s on %s.%s", a.Name, prefixed(", ", a.Title), a.Date, prefixed(" Resources committed: ", a.Resources)))
	}
	var named []string
	for _, o := range p.res.DocumentControl.Owners {
		if o.Name != "" {
			named = append(named, fmt.Sprintf("%s: %s", strings.ReplaceAll(o.Role, "_", " "), o.Name))
		}
	}
	if len(named) > 0 {
		p.para("Owners of the plan: " + strings.Join(named, "; ") + ".")
	}
	f.Ln(4)
	for _, label := range []string{"Name", "Title", "Signature", "Date"} {
		p.font(10, 150)
		f.CellFormat(30, 12, label, "", 0, "L", false, 0, "")
		x, y := f.GetX(), f.GetY()
		f.SetDrawColor(120, 120, 120)
		f.Line(x, y+9, x+110, y+9)
		f.Ln(14)
	}
}

func prefixed(pre, s string) string {
	if s == "" {
		return ""
	}
	return pre + s
}

// documentControl prints the version, change log, participants, sources,
// assumptions, named owners and the approval of the risk management plan.
func (p *pdfDoc) documentControl() {
	dc := p.res.DocumentControl
	p.section("Document control")
	p.para("Version " + dc.Version + ".")
	p.sub("Change log")
	if c := dc.Changes; c != nil {
		p.para(fmt.Sprintf("Against the analysis as of %s%s: %d new, %d resolved, %d re-rated, %d unchanged.",
			c.PreviousAsOf, prefixed(", version ", c.PreviousVersion), len(c.New), len(c.Resolved), len(c.Rerated), c.Unchanged))
		for _, d := range c.New {
			p.item("New: "+d.ID+" — "+d.Title, "now "+slugLevel(d.To))
		}
		for _, d := range c.Rerated {
			p.item("Re-rated: "+d.ID+" — "+d.Title, slugLevel(d.From)+" → "+slugLevel(d.To))
		}
		for _, d := range c.Resolved {
			p.item("Resolved: "+d.ID+" — "+d.Title, "was "+slugLevel(d.From))
		}
	} else {
		p.para("No previous analysis was supplied, so there is no change log.")
	}
	p.sub("Participants")
	if len(dc.Participants) == 0 {
		p.para("None recorded.")
	}
	for _, x := range dc.Participants {
		p.item(x.Name, strings.Join(nonEmpty(x.Role, x.Part, string(x.Date)), " · "))
	}
	p.sub("Sources")
	if len(dc.Sources) == 0 {
		p.para("None recorded.")
	}
	for _, x := range dc.Sources {
		p.item(x.Title, strings.Join(nonEmpty(x.Kind, x.Date, x.Note), " · "))
	}
	p.sub("Assumptions")
	for _, a := range dc.Assumptions {
		p.item("• " + a)
	}
	p.sub("Owners and approval of the risk management plan")
	for _, o := range dc.Owners {
		name := o.Name
		if name == "" {
			name = "not named"
		}
		p.item(strings.ReplaceAll(o.Role, "_", " ")+": "+name, fmt.Sprintf("%d open plan items", o.Items))
	}
	if a := dc.PlanApproval; a != nil {
		p.para(fmt.Sprintf("The risk management plan (164.308(a)(1)(ii)(B)) was approved by %s%s on %s.%s", a.Name, prefixed(", ", a.Title), a.Date, prefixed(" Resources committed: ", a.Resources)))
	} else {
		p.para("The risk management plan (164.308(a)(1)(ii)(B)) is not approved.")
	}
	if len(dc.Missing) > 0 {
		p.sub("Missing from document control")
		for _, m := range dc.Missing {
			p.item("• " + m)
		}
	}
}

// pairs lists every threat–vulnerability pair with its current measures,
// each declared or verified, and its rating.
func (p *pdfDoc) pairs() {
	e := p.res.Summary.Evidence
	p.sub("Every threat–vulnerability pair")
	p.para(fmt.Sprintf("%d pairs: %d with their safeguard missing (the risks of section 3), %d with it in place. A measure is declared when the model states it, verified when an evidence set examined it (named, with its date). %d of %d measures (%s) are verified.",
		e.Pairs, e.Pairs-e.PairsInPlace, e.PairsInPlace, e.MeasuresVerified, e.Measures, pct(e.Share)))
	for _, pr := range p.res.Pairs {
		state := "safeguard in place"
		if pr.Safeguard == assess.SafeguardMissing {
			state = "safeguard missing"
		}
		lines := []string{fmt.Sprintf("%s · likelihood %s (G-5) · impact %s (H-3) · level %s (I-2) · %s of measures verified",
			state, pr.Likelihood.Level.Title(), pr.Impact.Title(), pr.Level.Title(), pct(pr.Verified))}
		for _, m := range pr.Measures {
			l := m.Fact + " — " + m.Basis
			for _, ev := range m.Evidence {
				l += " by " + ev.Set + prefixed(" (", ev.Date)
				if ev.Date != "" {
					l += ")"
				}
			}
			lines = append(lines, l)
		}
		p.item(pr.ID+" — "+pr.Title, lines...)
	}
}

// flowDiagram draws the data-flow diagram as vector graphics: one band
// per workflow stage, and in it one row per flow — a box for the sending
// system or vendor, an arrow labelled with the channel, a box for the
// receiving one. PHI flows are drawn red and tagged PHI; a PHI flow that
// is not encrypted is dashed.
func (p *pdfDoc) flowDiagram() {
	f := p.f
	in := p.res.Inventory
	const (
		laneW, rowH, boxH = 34.0, 12.0, 8.0
		fromX, fromW      = pdfMargin + laneW + 2, 46.0
		toW               = 52.0
	)
	pageW, _ := f.GetPageSize()
	toX := pageW - pdfMargin - toW
	bottom := 279.4 - pdfMargin - 4
	vendorName := map[string]string{}
	for _, v := range in.Vendors {
		vendorName[v.ID] = v.Name
	}
	vendorOf := map[string]string{}
	for _, s := range in.Systems {
		if s.Vendor != "" {
			vendorOf[s.ID] = s.Vendor
			if n := vendorName[s.Vendor]; n != "" {
				vendorOf[s.ID] = n
			}
		}
	}
	label := func(id, name string) string {
		if v := vendorOf[id]; v != "" {
			return name + " (" + v + ")"
		}
		return name
	}
	byStage := map[string][]assess.FlowRow{}
	var order []assess.Stage
	for _, st := range in.Stages {
		order = append(order, st)
	}
	known := map[string]bool{}
	for _, st := range in.Stages {
		known[st.ID] = true
	}
	for _, fl := range in.Flows {
		st := fl.Stage
		if !known[st] {
			st = ""
		}
		byStage[st] = append(byStage[st], fl)
	}
	if len(byStage[""]) > 0 {
		order = append(order, assess.Stage{ID: "", Title: "No stage given"})
	}
	p.note("Boxes are systems and vendors (a vendor-run system names its vendor); arrows are flows, labelled with their channel. Red arrows tagged PHI carry protected health information; dashed red arrows carry it unencrypted.")
	box := func(x, y, w float64, text string) {
		f.SetDrawColor(100, 116, 139)
		f.SetFillColor(255, 255, 255)
		f.Rect(x, y, w, boxH, "FD")
		p.font(7.5, 0)
		f.SetXY(x+1, y+1.5)
		f.CellFormat(w-2, 5, truncate(text, int(w/1.45)), "", 0, "L", false, 0, "")
	}
	for i, st := range order {
		flows := byStage[st.ID]
		if len(flows) == 0 {
			continue
		}
		for j, fl := range flows {
			y := f.GetY()
			if y+rowH > bottom {
				f.AddPage()
				y = f.GetY()
			}
			if i%2 == 0 {
				f.SetFillColor(241, 245, 249)
			} else {
				f.SetFillColor(226, 232, 240)
			}
			f.Rect(pdfMargin, y, pageW-2*pdfMargin, rowH, "F")
			if j == 0 || y == pdfMargin {
				p.font(7.5, 0)
				f.SetTextColor(20, 60, 110)
				f.SetXY(pdfMargin+1, y+1)
				f.MultiCell(laneW-1, 3.5, truncate(st.Title, 40), "", "L", false)
			}
			by := y + (rowH-boxH)/2
			box(fromX, by, fromW, label(fl.From, fl.FromName))
			box(toX, by, toW, label(fl.To, fl.ToName))
			ay := by + boxH/2
			x1, x2 := fromX+fromW+1, toX-1
			f.SetLineWidth(0.6)
			if fl.PHI {
				f.SetDrawColor(185, 28, 28)
				f.SetFillColor(185, 28, 28)
			} else {
				f.SetDrawColor(71, 85, 105)
				f.SetFillColor(71, 85, 105)
			}
			if fl.PHI && !fl.Encrypted {
				f.SetDashPattern([]float64{1.6, 1.2}, 0)
			}
			f.Line(x1, ay, x2-2.5, ay)
			f.SetDashPattern(nil, 0)
			f.Polygon([]fpdf.PointType{{X: x2, Y: ay}, {X: x2 - 3, Y: ay - 1.5}, {X: x2 - 3, Y: ay + 1.5}}, "F")
			f.SetLineWidth(0.2)
			tag := strings.ReplaceAll(fl.Channel, "_", " ")
			if fl.PHI {
				tag = "PHI · " + tag
				if !fl.Encrypted {
					tag += " · unencrypted"
				}
			}
			p.font(7, 0)
			if fl.PHI {
				f.SetTextColor(185, 28, 28)
			}
			f.SetXY(x1, ay-4.5)
			f.CellFormat(x2-x1, 3.5, truncate(tag, int((x2-x1)/1.5)), "", 0, "C", false, 0, "")
			f.SetY(y + rowH)
		}
	}
	f.SetTextColor(0, 0, 0)
	f.Ln(2)
}

func slugLevel(s string) string {
	if l, err := risk.ParseLevel(s); err == nil {
		return l.Title()
	}
	return s
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}
