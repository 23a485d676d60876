package web

import (
	"net/url"
	"strconv"
)

// registerPageSize is how many risks one page of the register shows. A
// billing company's register runs to thousands of risks; as one page it
// was megabytes of HTML that took seconds to render and to scroll.
const registerPageSize = 50

// registerPager places a page within the filtered, sorted register.
type registerPager struct {
	Matching    int // risks that pass the filters
	From, To    int // 1-based positions of the first and last shown
	Page, Pages int
	Prev, Next  string // links to the neighbouring pages; "" at either end
}

// paginate returns the page of rows asked for by the "page" parameter
// (the first page when absent or out of range), with links that keep the
// filters and sort order.
func paginate(rows []riskRow, q url.Values, path string) ([]riskRow, registerPager) {
	p := registerPager{Matching: len(rows), Pages: max(1, (len(rows)+registerPageSize-1)/registerPageSize)}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	lo := (p.Page - 1) * registerPageSize
	hi := min(lo+registerPageSize, len(rows))
	if hi > lo {
		p.From, p.To = lo+1, hi
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	return rows[lo:hi], p
}
