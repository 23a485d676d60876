package store

import (
	"context"
	"fmt"
	"time"
)

// Failed sign-in attempts are limited per client address (package web's
// throttle). The budgets live here rather than in a server's memory: with
// several app servers behind a load balancer, a budget held by each would
// give an attacker one budget per server, and the balancer would hand him
// a fresh one at every turn. Each budget is a token bucket — tokens left,
// and when they were last counted — and every change to it is one
// statement, so attempts arriving at once on any number of servers are
// counted exactly once each.
//
// These writes are made outside InTx, like TouchSession: counting an
// attempt changes no record anybody reads, and the attempt itself is
// audited where it is decided (auth.login.fail and the like).

func signInBudgetsV16(d dialect) []string {
	return []string{
		`CREATE TABLE signin_budgets (
			addr TEXT PRIMARY KEY,
			tokens DOUBLE PRECISION NOT NULL,
			at_us BIGINT NOT NULL,
			taken INTEGER NOT NULL
		)`,
	}
}

// refilled is the SQL for a budget's tokens at now (?): what was left plus
// limit (?) per window (?) since it was last counted, at most limit. A
// clock behind the one that last counted refills nothing. It takes the
// arguments limit, limit, now, window, in that order.
func (d dialect) refilled() string {
	least, greatest := "min", "max"
	if d == postgres {
		least, greatest = "LEAST", "GREATEST"
	}
	return fmt.Sprintf(`%s(CAST(? AS DOUBLE PRECISION), signin_budgets.tokens + CAST(? AS DOUBLE PRECISION) *
		%s(0, CAST(? AS BIGINT) - signin_budgets.at_us) / CAST(? AS DOUBLE PRECISION))`, least, greatest)
}

// TakeSignInBudget spends one attempt of addr's budget (limit attempts,
// refilling in window) for an attempt about to be checked. It reports
// whether the attempt may go ahead and the tokens left afterwards; when
// it may not, nothing is spent.
func (s *Store) TakeSignInBudget(ctx context.Context, addr string, limit float64, window time.Duration, now time.Time) (left float64, ok bool, err error) {
	r := s.d.refilled()
	greatest := "max"
	if s.d == postgres {
		greatest = "GREATEST"
	}
	q := `INSERT INTO signin_budgets (addr, tokens, at_us, taken) VALUES (?, ?, ?, 1)
		ON CONFLICT (addr) DO UPDATE SET
			taken = CASE WHEN ` + r + ` >= 1 THEN 1 ELSE 0 END,
			tokens = CASE WHEN ` + r + ` >= 1 THEN ` + r + ` - 1 ELSE ` + r + ` END,
			at_us = ` + greatest + `(signin_budgets.at_us, excluded.at_us)
		RETURNING tokens, taken`
	us, w := now.UnixMicro(), float64(window.Microseconds())
	ra := []any{limit, limit, us, w}
	args := []any{addr, limit - 1, us}
	for range 4 {
		args = append(args, ra...)
	}
	var taken int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(q), args...).Scan(&left, &taken); err != nil {
		return 0, false, fmt.Errorf("store: take sign-in budget: %w", err)
	}
	return left, taken == 1, nil
}

// RefundSignInBudget gives back the attempt TakeSignInBudget spent, for an
// attempt that did not fail; the budget never exceeds limit. An address
// forgotten in between had its budget whole: nothing to give back.
func (s *Store) RefundSignInBudget(ctx context.Context, addr string, limit float64, window time.Duration, now time.Time) error {
	least, greatest := "min", "max"
	if s.d == postgres {
		least, greatest = "LEAST", "GREATEST"
	}
	q := `UPDATE signin_budgets SET tokens = ` + least + `(CAST(? AS DOUBLE PRECISION), ` + s.d.refilled() + ` + 1),
		at_us = ` + greatest + `(at_us, CAST(? AS BIGINT)) WHERE addr = ?`
	us := now.UnixMicro()
	if _, err := s.db.ExecContext(ctx, s.d.rebind(q), limit, limit, limit, us, float64(window.Microseconds()), us, addr); err != nil {
		return fmt.Errorf("store: refund sign-in budget: %w", err)
	}
	return nil
}

// ForgetSignInBudgets drops the budgets not counted since before, which
// the caller picks a whole refill window ago: they are whole again, and
// a whole budget is what an address not on record gets.
func (s *Store) ForgetSignInBudgets(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.rebind(`DELETE FROM signin_budgets WHERE at_us < ?`), before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("store: forget sign-in budgets: %w", err)
	}
	return res.RowsAffected()
}
