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
	page, _ := strconv.Atoi(q.Get("page"))
	p := listPager(len(rows), page, size, q, path)
	lo := (p.Page - 1) * size
	return rows[lo:min(lo+size, len(rows))], p
}

// listPager is the pager of a list paged by the database: it knows the
// number matching, not the rows.
func listPager(matching, page, size int, q url.Values, path string) pager {
	p := pager{Matching: matching, Pages: max(1, (matching+size-1)/size), Page: page}
	p.Page = min(max(p.Page, 1), p.Pages)
	if matching > 0 {
		p.From, p.To = (p.Page-1)*size+1, min(p.Page*size, matching)
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
	return p
}
