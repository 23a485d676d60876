package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"rcmguard/internal/auth"
	"rcmguard/internal/incident"
	"rcmguard/internal/model"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/store"
)

// IncidentChoices are what an incident form offers: the workspace's
// members (owners of the incident) and, from its current model, its
// systems and clients.
type IncidentChoices struct {
	Members []Choice
	Systems []Choice
	Clients []Choice
}

// IncidentChoices lists what the incident form may offer.
func (a *App) IncidentChoices(ctx context.Context, who Actor, ws Scope) (IncidentChoices, error) {
	var ch IncidentChoices
	if err := a.Allowed(who, ws, auth.ActIncidentView, ""); err != nil {
		return ch, err
	}
	ms, err := a.st.Members(ctx, ws.WS.ID)
	if err != nil {
		return ch, err
	}
	for _, m := range ms {
		u, err := a.st.User(ctx, m.UserID)
		if err != nil {
			return ch, err
		}
		ch.Members = append(ch.Members, Choice{Value: strconv.FormatInt(u.ID, 10), Label: u.Email})
	}
	_, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
	if err != nil || !ok {
		return ch, err
	}
	for _, s := range m.Systems {
		ch.Systems = append(ch.Systems, Choice{Value: s.ID, Label: s.Name})
	}
	for _, c := range m.Clients {
		ch.Clients = append(ch.Clients, Choice{Value: c.ID, Label: c.Name})
	}
	return ch, nil
}

// checkIncidentForm applies the rules of an incident's details and
// returns every problem by field.
func (a *App) checkIncidentForm(ctx context.Context, ws Scope, f IncidentForm) (IncidentRecord, error) {
	var errs Errors
	rec := IncidentRecord{Title: freeText(f.Title), Summary: freeText(f.Summary), Discovered: f.Discovered,
		Occurred: f.Occurred, Role: f.Role, InsufficientContact: f.InsufficientContact, Contact: freeText(f.Contact)}
	switch {
	case rec.Title == "":
		errs = append(errs, invalid("title", "Give the incident a title."))
	case len(rec.Title) > maxIncidentTitle:
		errs = append(errs, invalid("title", "Keep the title under 200 characters."))
	}
	if len(rec.Summary) > maxIncidentText {
		errs = append(errs, invalid("summary", "Keep the description under 8,000 characters."))
	}
	if len(rec.Contact) > maxIncidentTitle {
		errs = append(errs, invalid("contact", "Keep the contact details under 200 characters."))
	}
	if !slices.Contains(IncidentSeverities, f.Severity) {
		errs = append(errs, invalid("severity", "Choose a severity."))
	}
	today := incident.DateOf(a.now().UTC())
	disc, ok := incident.ParseDate(f.Discovered)
	switch {
	case !ok:
		errs = append(errs, invalid("discovered", "Enter the day the incident was discovered as YYYY-MM-DD: the first day anyone in the workforce knew, or should have known (164.404(a)(2))."))
	case today.Before(disc):
		errs = append(errs, invalid("discovered", "The discovery date is after today."))
	}
	if f.Occurred != "" {
		if occ, ok := incident.ParseDate(f.Occurred); !ok {
			errs = append(errs, invalid("occurred", "Enter the date of the breach as YYYY-MM-DD, or leave it blank if unknown."))
		} else if disc, ok2 := incident.ParseDate(f.Discovered); ok2 && disc.Before(occ) {
			errs = append(errs, invalid("occurred", "The breach cannot have happened after it was discovered."))
		}
	}
	if rec.Role != string(incident.RoleCoveredEntity) && rec.Role != string(incident.RoleBusinessAssociate) {
		errs = append(errs, &Error{Kind: ErrMalformed, Field: "role", Msg: "Choose who reports: a covered entity or a business associate."})
	}
	if rec.InsufficientContact < 0 {
		errs = append(errs, invalid("insufficient_contact", "The number of individuals without usable contact details cannot be negative."))
	}
	// The owner is a member of the workspace, as offered.
	if _, err := a.st.Membership(ctx, ws.WS.ID, f.OwnerID); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return rec, err
		}
		errs = append(errs, &Error{Kind: ErrMalformed, Field: "owner", Msg: "Choose the incident's owner from the workspace's members."})
	}
	_, m, ok, err := a.CurrentModel(ctx, ws.WS.ID)
	if err != nil {
		return rec, err
	}
	if !ok {
		m = &model.Model{}
	}
	systems, clients := map[string]bool{}, map[string]bool{}
	for _, s := range m.Systems {
		systems[s.ID] = true
	}
	for _, c := range m.Clients {
		clients[c.ID] = true
	}
	rec.Systems = dedupe(f.Systems)
	for _, s := range rec.Systems {
		if !systems[s] {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "systems", Msg: "Choose the affected systems from the model's systems."})
			break
		}
	}
	rec.Clients = dedupe(f.Clients)
	for _, c := range rec.Clients {
		if !clients[c] {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "clients", Msg: "Choose the affected clients from the model's clients."})
			break
		}
	}
	rec.DataTypes = dedupe(f.DataTypes)
	for _, d := range rec.DataTypes {
		if DataTypeTitle(d) == d {
			errs = append(errs, &Error{Kind: ErrMalformed, Field: "data_types", Msg: "Choose the data types from the list."})
			break
		}
	}
	if msg := checkCounts(f.Counts, rec.Role, rec.Clients); msg != "" {
		errs = append(errs, invalid("counts", msg))
	}
	rec.Counts = mergeCounts(f.Counts)
	if d := f.Delay; d != nil {
		d.Official = freeText(d.Official)
		if msg := checkDelay(d); msg != "" {
			errs = append(errs, invalid("delay", msg))
		}
		rec.Delay = d
	}
	if len(errs) > 0 {
		return rec, errs
	}
	return rec, nil
}

func checkCounts(counts []Count, role string, clients []string) string {
	if len(counts) > maxIncidentCounts {
		return "Give at most 500 lines of counts."
	}
	for _, c := range counts {
		switch {
		case incident.StateName(c.State) == "":
			return fmt.Sprintf("%q is not a State code (use the two-letter postal code, e.g. FL, NY, DC).", c.State)
		case c.Individuals < 0:
			return "A count of individuals cannot be negative."
		case role == string(incident.RoleBusinessAssociate) && !slices.Contains(clients, c.Client):
			return fmt.Sprintf("A business associate counts individuals per client: name one of the affected clients on each line (%q is not one).", c.Client)
		case role == string(incident.RoleCoveredEntity) && c.Client != "":
			return "A covered entity counts individuals by State only: leave the client out."
		}
	}
	return ""
}

func checkDelay(d *LawDelay) string {
	st, ok := incident.ParseDate(d.Statement)
	if !ok {
		return "Enter the day of the law-enforcement statement as YYYY-MM-DD."
	}
	if strings.TrimSpace(d.Official) == "" || len(d.Official) > maxIncidentTitle {
		return "Name the official and their agency (164.412(b) requires their identity to be documented)."
	}
	switch until, ok := incident.ParseDate(d.Until); {
	case d.Until == "" && d.Written:
		return "A written statement specifies the time for which notice is delayed: enter its end date (164.412(a))."
	case d.Until != "" && !ok:
		return "Enter the end of the delay as YYYY-MM-DD."
	case d.Until != "" && until.Before(st):
		return "The delay cannot end before the statement was made."
	}
	return ""
}

// mergeCounts adds up lines for the same client and State and sorts them.
func mergeCounts(counts []Count) []Count {
	sum := map[[2]string]int{}
	for _, c := range counts {
		sum[[2]string{c.Client, c.State}] += c.Individuals
	}
	out := make([]Count, 0, len(sum))
	for k, n := range sum {
		out = append(out, Count{Client: k[0], State: k[1], Individuals: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Client != out[j].Client {
			return out[i].Client < out[j].Client
		}
		return out[i].State < out[j].State
	})
	return out
}

// freeText is what an incident keeps of text a person typed: trimmed,
// and with every identifier a content scan would report (an SSN, a card
// or Medicare number) masked, as evidence is, because a narrative or a
// note quoting a patient's record is the likeliest place for one.
func freeText(s string) string { return phiscan.MaskText(strings.TrimSpace(s)) }

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// ParseCounts reads the counts of individuals as a form's text area holds
// them: one "STATE COUNT" per line ("FL 620"), or for a business
// associate "CLIENT STATE COUNT" ("lakeside FL 620"); blank lines are
// skipped. A problem is reported with its line.
func ParseCounts(text string) ([]Count, error) {
	var out []Count
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(strings.NewReplacer(":", " ", ",", " ").Replace(line))
		if len(f) == 0 {
			continue
		}
		bad := func(msg string) error {
			return Errors{invalid("counts", fmt.Sprintf("Line %d (%q): %s", i+1, strings.TrimSpace(line), msg))}
		}
		var c Count
		switch len(f) {
		case 2:
			c.State = strings.ToUpper(f[0])
		case 3:
			c.Client, c.State = f[0], strings.ToUpper(f[1])
		default:
			return nil, bad("write the State's code and the number, e.g. FL 620 (a business associate puts the client first).")
		}
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil || n < 0 {
			return nil, bad("the number of individuals is a whole number of 0 or more.")
		}
		c.Individuals = n
		out = append(out, c)
	}
	return out, nil
}

// FormatCounts writes counts back as ParseCounts reads them.
func FormatCounts(counts []Count) string {
	var b strings.Builder
	for _, c := range counts {
		if c.Client != "" {
			b.WriteString(c.Client + " ")
		}
		fmt.Fprintf(&b, "%s %d\n", c.State, c.Individuals)
	}
	return b.String()
}
