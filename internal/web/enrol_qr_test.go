package web

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

var (
	qrImgRE  = regexp.MustCompile(`<img id="totp-qr" src="([^"]+)"`)
	qrURIRE  = regexp.MustCompile(`<code id="totp-uri">([^<]+)</code>`)
	qrPathRE = regexp.MustCompile(`<path fill="#000" d="([^"]*)"/>`)
	qrSizeRE = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
)

// qrModules reads back the dark modules an SVG from qrSVG draws, as a
// side×side grid including the quiet zone.
func qrModules(t *testing.T, svg string) [][]bool {
	t.Helper()
	sz, path := qrSizeRE.FindStringSubmatch(svg), qrPathRE.FindStringSubmatch(svg)
	if sz == nil || path == nil || sz[1] != sz[2] {
		t.Fatalf("not a square QR SVG: %.200s", svg)
	}
	var side int
	fmt.Sscan(sz[1], &side)
	grid := make([][]bool, side)
	for i := range grid {
		grid[i] = make([]bool, side)
	}
	for sq := range strings.SplitSeq(strings.TrimSuffix(path[1], "z"), "z") {
		var x, y int
		if _, err := fmt.Sscanf(sq, "M%d %dh1v1h-1", &x, &y); err != nil || x >= side || y >= side {
			t.Fatalf("module %q: %v", sq, err)
		}
		grid[y][x] = true
	}
	return grid
}

// TestEnrolmentPageShowsQRCode: the enrolment page carries, as an image
// the CSP allows (a data: URI, no script), the QR code of the very
// otpauth URI it shows, with the finder patterns and quiet zone a scanner
// needs; the typed secret stays on the page.
func TestEnrolmentPageShowsQRCode(t *testing.T) {
	e := newTestEnv(t, filepath.Join(t.TempDir(), "rcmguard.db"))
	u := e.users["A:owner"]
	b := e.newBrowser()
	b.get("/login")
	if resp, _ := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}}); resp.Header.Get("Location") != "/login/enrol" {
		t.Fatalf("after the password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := b.get("/login/enrol")
	img, uriM := qrImgRE.FindStringSubmatch(body), qrURIRE.FindStringSubmatch(body)
	if img == nil || uriM == nil {
		t.Fatalf("the enrolment page has no QR image or no setup link:\n%s", body)
	}
	if !strings.Contains(body, groupSecret(u.Secret)) {
		t.Error("the enrolment page no longer shows the secret to type")
	}
	uri := html.UnescapeString(uriM[1])
	if pu, err := url.Parse(uri); err != nil || pu.Scheme != "otpauth" || pu.Query().Get("secret") != u.Secret {
		t.Fatalf("setup link %q does not carry the user's secret (%v)", uri, err)
	}
	data, ok := strings.CutPrefix(html.UnescapeString(img[1]), "data:image/svg+xml;base64,")
	if !ok {
		t.Fatalf("the QR image is not an SVG data URI: %.60s", img[1])
	}
	svg, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	grid := qrModules(t, string(svg))
	want, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := want.Bounds().Dx()
	if len(grid) != n+2*qrQuietZone {
		t.Fatalf("image is %d modules wide; the code of the setup link is %d plus the quiet zone", len(grid), n)
	}
	for y := range grid {
		for x := range grid {
			in := x >= qrQuietZone && y >= qrQuietZone && x < qrQuietZone+n && y < qrQuietZone+n
			dark := false
			if in {
				r, _, _, _ := want.At(x-qrQuietZone, y-qrQuietZone).RGBA()
				dark = r == 0
			}
			if grid[y][x] != dark {
				t.Fatalf("module (%d,%d) is dark=%v; the QR code of the setup link has %v", x, y, grid[y][x], dark)
			}
		}
	}
	// Independently of the library: a finder pattern (a 7×7 ring around a
	// 3×3 block) in three corners, which is what a scanner locks on to.
	for _, c := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for dy := range 7 {
			for dx := range 7 {
				ring := dx == 0 || dy == 0 || dx == 6 || dy == 6
				core := dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4
				if grid[qrQuietZone+c[1]+dy][qrQuietZone+c[0]+dx] != (ring || core) {
					t.Fatalf("no finder pattern at module (%d,%d)", c[0], c[1])
				}
			}
		}
	}
}
