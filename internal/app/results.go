package app

import (
	"context"
	"fmt"
	"slices"

	"rcmguard/internal/assess"
	"rcmguard/internal/cache"
	"rcmguard/internal/report"
	"rcmguard/internal/risk"
	"rcmguard/internal/store"
)

// The dashboard, the register, the plan and the portfolio all show the
// latest assessment's result. For a billing company with 10,000 risks that
// result is about 40 MB of JSON, and decoding it took most of a second: on
// every page view, for every user. A result is written once, with its
// assessment, and never rewritten (signing off freezes the row, and the
// server has no other path that changes it), so a decoded result can be
// kept by assessment ID and shared by every request, on one app server or
// several in front of one PostgreSQL.
//
// Callers that get a result from the cache must treat it as read-only.

// Bounds of the cache: a result is held while it is among the most
// recently used resultCacheEntries and their JSON adds up to at most
// resultCacheBytes (a decoded result takes a little more memory than its
// JSON). The history's summaries are tiny, but one is kept per assessment
// seen, so they are bounded too.
//
// A billing company's staff work in many clients at once: with 50 people
// each in another of 400 clients, 32 results were too few and every page
// decoded its result anew (about 80 ms of CPU for 1,000 risks). The bound
// is sized for a hundred clients in use at the same time.
const (
	resultCacheEntries  = 128
	resultCacheBytes    = 512 << 20
	summaryCacheEntries = 4096
)

// Summary is what the history and the portfolio need of each assessment
// (store.AssessmentSummary, kept beside it).
type Summary = store.AssessmentSummary

// cachedResult is a result being loaded or loaded; a failed load is not
// kept.
type cachedResult struct {
	ready chan struct{} // closed once res or err is set
	res   *assess.Result
	err   error
}

type resultCache struct {
	results   *cache.LRU[int64, *cachedResult] // cost: the JSON's size
	summaries *cache.LRU[int64, Summary]
}

func newResultCache() *resultCache {
	return &resultCache{results: cache.New[int64, *cachedResult](resultCacheEntries, resultCacheBytes),
		summaries: cache.New[int64, Summary](summaryCacheEntries, 0)}
}

// Result returns the decoded result of assessment asm (of which only the ID
// and workspace are used), shared with other callers: read it, never
// change it. Concurrent requests for a result not yet cached wait for one
// load instead of each decoding it.
func (a *App) Result(ctx context.Context, asm store.Assessment) (*assess.Result, error) {
	c := a.results
	e, loading := c.results.Add(asm.ID, &cachedResult{ready: make(chan struct{})}, 0)
	if !loading {
		select {
		case <-e.ready:
			return e.res, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The load is not tied to this request's context: others may be
	// waiting for it.
	data, err := a.st.AssessmentResult(context.WithoutCancel(ctx), asm.WorkspaceID, asm.ID)
	if err == nil {
		asm.ResultJSON = data
		e.res, err = DecodeResult(asm)
	}
	e.err = err
	if err != nil {
		// Failures are not remembered: the next request tries again.
		c.results.Remove(asm.ID)
	} else {
		c.results.Put(asm.ID, e, int64(len(data)))
		c.summaries.Put(asm.ID, summaryOf(asm.ID, e.res), 0)
	}
	close(e.ready)
	return e.res, e.err
}

// summaryOf is the summary of assessment id's result.
func summaryOf(id int64, res *assess.Result) Summary {
	s := Summary{AssessmentID: id, Open: res.Summary.Open, Risks: res.Summary.Risks, Highest: res.Summary.Highest,
		OpenByLevel: res.Summary.OpenByLevel, AsOf: res.AsOf}
	for _, p := range res.Plan {
		if p.Due != "" && risk.Status(p.Status).StillAtRisk() {
			s.OpenDue = append(s.OpenDue, p.Due)
		}
	}
	slices.Sort(s.OpenDue)
	return s
}

// OverdueOn counts the plan items of a summary still at risk and due
// before day (YYYY-MM-DD), as the dashboard's overdue list counts them.
func OverdueOn(s Summary, day string) int {
	n, _ := slices.BinarySearch(s.OpenDue, day)
	return n
}

// SummaryOf returns the counts the history shows for assessment asm: from
// memory, else as stored beside it, else from its result (and then stored,
// for an assessment run before summaries were).
func (a *App) SummaryOf(ctx context.Context, asm store.Assessment) (Summary, error) {
	sums, err := a.summaries(ctx, []store.Assessment{asm})
	if err != nil {
		return Summary{}, err
	}
	return sums[asm.ID], nil
}

// summaries returns the summaries of asms by assessment ID, reading the
// ones not in memory in one query and decoding only results that have
// none stored.
func (a *App) summaries(ctx context.Context, asms []store.Assessment) (map[int64]Summary, error) {
	out := make(map[int64]Summary, len(asms))
	var missing []int64
	for _, asm := range asms {
		if sum, ok := a.results.summaries.Get(asm.ID); ok {
			out[asm.ID] = sum
		} else {
			missing = append(missing, asm.ID)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	stored, err := a.st.AssessmentSummaries(ctx, missing)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	for _, asm := range asms {
		if _, ok := out[asm.ID]; ok {
			continue
		}
		sum, ok := stored[asm.ID]
		if !ok {
			res, err := a.Result(ctx, asm)
			if err != nil {
				return nil, err
			}
			sum = summaryOf(asm.ID, res)
			if err := a.st.PutAssessmentSummary(ctx, sum); err != nil {
				return nil, fmt.Errorf("app: %w", err)
			}
		}
		a.results.summaries.Put(asm.ID, sum, 0)
		out[asm.ID] = sum
	}
	return out, nil
}

// ClientPosture is one client of a billing company as the portfolio
// shows it: its latest assessment's summary, without its result.
type ClientPosture struct {
	Workspace store.Workspace
	// Member says the viewer is a member of the client.
	Member bool
	// Latest is the latest assessment (ID zero when none has run) and
	// Summary its summary.
	Latest  store.Assessment
	Summary Summary
}

// ClientPostures lists the clients of billing company parent, by name,
// each with its latest assessment's summary and whether user is a member,
// in two queries however many clients there are, decoding no result
// (except, once, one stored before summaries were).
func (a *App) ClientPostures(ctx context.Context, parent, user int64) ([]ClientPosture, error) {
	cls, err := a.st.ClientsLatest(ctx, parent, user)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	var asms []store.Assessment
	for _, cl := range cls {
		if cl.Latest.ID != 0 {
			asms = append(asms, cl.Latest)
		}
	}
	sums, err := a.summaries(ctx, asms)
	if err != nil {
		return nil, err
	}
	out := make([]ClientPosture, len(cls))
	for i, cl := range cls {
		out[i] = ClientPosture{Workspace: cl.Workspace, Member: cl.Member, Latest: cl.Latest, Summary: sums[cl.Latest.ID]}
	}
	return out, nil
}

// Latest returns the newest assessment of a workspace and its result; ok
// is false when none has run. The assessment comes without its model and
// result JSON, and the result is shared (see Result): read it, never
// change it.
func (a *App) Latest(ctx context.Context, wsID int64) (store.Assessment, *assess.Result, bool, error) {
	heads, err := a.st.AssessmentHeads(ctx, wsID)
	if err != nil || len(heads) == 0 {
		return store.Assessment{}, nil, false, err
	}
	res, err := a.Result(ctx, heads[0])
	return heads[0], res, err == nil, err
}

// DecodeResult reads an assessment's stored result under the schema it
// was written with (report.DecodeResult): signed-off results are never
// read under another meaning.
func DecodeResult(asm store.Assessment) (*assess.Result, error) {
	res, err := report.DecodeResult(asm.ResultJSON)
	if err != nil {
		return nil, fmt.Errorf("app: result of assessment %d: %w", asm.ID, err)
	}
	return res, nil
}
