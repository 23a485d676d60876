package web

import (
	"net/url"
	"strconv"
)

// pager places a page within a filtered, sorted list: the register, or
// an evidence set's facts.
type pager struct {
	Matching    int // rows that pass the filters
	From, To    int // 1-based positions of the first and last shown
	Page, Pages int
	Prev, Next  string // links to the neighbouring pages; "" at either end
}

// paginate returns the page of size rows asked for by the "page"
// parameter (the first page when absent or out of range), with links
// that keep the filters and sort order.
func paginate[T any](rows []T, size int, q url.Values, path string) ([]T, pager) {
	p := pager{Matching: len(rows), Pages: max(1, (len(rows)+size-1)/size)}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	lo := (p.Page - 1) * size
	hi := min(lo+size, len(rows))
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
