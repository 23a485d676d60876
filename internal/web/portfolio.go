package web

import (
	"net/http"

	"rcmguard/internal/app"
	"rcmguard/internal/store"
)

type clientPosture struct {
	WS        store.Workspace
	Member    bool
	Assessed  bool
	Version   int
	AsOf      string
	Highest   string
	VeryHigh  int
	High      int
	Open      int
	Overdue   int
	SignedOff bool
}

// clientForm is the "add a client practice" form as typed.
type clientForm struct {
	Name, Err string
}

type portfolioData struct {
	Rows []clientPosture
	Form clientForm
}

// portfolio shows a billing company each client workspace's posture. The
// company's members see the posture of every client (that is their job);
// opening a client's own pages still needs membership of that client.
func (s *Server) portfolio(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderPortfolio(w, r, c, http.StatusOK, clientForm{})
}

func (s *Server) renderPortfolio(w http.ResponseWriter, r *http.Request, c *call, status int, f clientForm) error {
	if c.WS.Kind != store.KindBillingCompany {
		return errNotFound
	}
	// Two queries however many clients (400 at a large billing company),
	// from the summary stored with each assessment: no result decoded.
	cps, err := s.app.ClientPostures(r.Context(), c.WS.ID, c.User.ID)
	if err != nil {
		return err
	}
	today := s.today().Format("2006-01-02")
	rows := make([]clientPosture, 0, len(cps))
	for _, cp := range cps {
		p := clientPosture{WS: cp.Workspace, Member: cp.Member}
		if a, sm := cp.Latest, cp.Summary; a.ID != 0 {
			p.Assessed, p.Version, p.AsOf, p.SignedOff = true, a.Version, sm.AsOf, !a.SignedOff.IsZero()
			p.Highest, p.Open = sm.Highest, sm.Open
			p.VeryHigh, p.High = sm.OpenByLevel["very_high"], sm.OpenByLevel["high"]
			p.Overdue = app.OverdueOn(sm, today)
		}
		rows = append(rows, p)
	}
	return s.render(w, status, "portfolio", page{Title: "Client portfolio", Nav: "portfolio", C: c, Data: portfolioData{Rows: rows, Form: f}})
}
