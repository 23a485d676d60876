package web

import (
	"net/http"

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
	ctx := r.Context()
	clients, err := s.st.ClientWorkspaces(ctx, c.WS.ID)
	if err != nil {
		return err
	}
	rows := make([]clientPosture, 0, len(clients))
	for _, cw := range clients {
		p := clientPosture{WS: cw}
		if _, err := s.st.Membership(ctx, cw.ID, c.User.ID); err == nil {
			p.Member = true
		}
		a, res, ok, err := s.app.Latest(ctx, cw.ID)
		if err != nil {
			return err
		}
		if ok {
			p.Assessed, p.Version, p.AsOf, p.SignedOff = true, a.Version, res.AsOf, !a.SignedOff.IsZero()
			p.Highest, p.Open = res.Summary.Highest, res.Summary.Open
			p.VeryHigh, p.High = res.Summary.OpenByLevel["very_high"], res.Summary.OpenByLevel["high"]
			p.Overdue = len(s.overdueItems(res))
		}
		rows = append(rows, p)
	}
	return s.render(w, status, "portfolio", page{Title: "Client portfolio", Nav: "portfolio", C: c, Data: portfolioData{Rows: rows, Form: f}})
}
