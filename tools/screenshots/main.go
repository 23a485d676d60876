// Command screenshots takes the pictures of the web app that the README and
// docs/ show. It builds rcmguard, runs `rcmguard demo` on a free loopback
// port, signs in through the demo's one-use owner link in Debian's chromium
// and saves one PNG per page. Run it from the repository root:
//
//	go run ./tools/screenshots [-out docs/screenshots] [-chromium /usr/bin/chromium]
//
// The pages are found by following links from the home page, so a page
// that moves keeps its picture; a page that cannot be found fails the run.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/chromedp/chromedp"
)

// shot is one picture: where to go (a path, or a link to find on the page
// before) and what to wait for.
type shot struct {
	name string
	// from is the page to start at ("" for where the previous shot ended)
	// and link a CSS selector of the link to follow from there.
	from, link string
	wait       string
	// width overrides the window width (a phone).
	width int
}

func main() {
	out := flag.String("out", "docs/screenshots", "directory to write the PNG files to")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the browser")
	flag.Parse()
	if err := run(*out, *chromium); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(out, chromium string) error {
	tmp, err := os.MkdirTemp("", "rcmguard-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "rcmguard")
	if b, err := exec.Command("go", "build", "-o", bin, "./cmd/rcmguard").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, b)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	demo := exec.Command(bin, "demo", "--addr", addr)
	demo.Env = append(os.Environ(), "HOME="+tmp)
	stdout, err := demo.StdoutPipe()
	if err != nil {
		return err
	}
	demo.Stderr = os.Stderr
	if err := demo.Start(); err != nil {
		return err
	}
	defer func() { _ = demo.Process.Kill(); _ = demo.Wait() }()
	link, err := ownerLink(stdout)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(filepath.Join(tmp, "chromium")), chromedp.WindowSize(1366, 900),
		chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelTimeout()
	base := "http://" + addr
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		return fmt.Errorf("demo sign-in: %w", err)
	}
	for _, s := range shots {
		if s.from != "" {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+s.from), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
				return fmt.Errorf("%s: open %s: %w", s.name, s.from, err)
			}
		}
		if s.link != "" {
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).getAttribute ? document.querySelector(%q).getAttribute("href") : ""`, s.link, s.link)))
			if err != nil || href == "" {
				return fmt.Errorf("%s: no link %s on %s (%v)", s.name, s.link, s.from, err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(base+href), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
				return fmt.Errorf("%s: open %s: %w", s.name, href, err)
			}
		}
		w := 1366
		if s.width != 0 {
			w = s.width
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), 900)); err != nil {
			return err
		}
		if s.wait != "" {
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(s.wait))); err != nil {
				return fmt.Errorf("%s: %s not shown: %w", s.name, s.wait, err)
			}
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		file := filepath.Join(out, s.name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			return err
		}
		fmt.Println(file)
	}
	return nil
}

// shots are taken in order; each starts where the one before ended unless
// it says where to start.
var shots = []shot{
	{name: "home", from: "/", wait: "main"},
	{name: "dashboard", from: "/", link: `#workspaces tbody a[href^="/w/"]`, wait: "table.heat"},
	{name: "register", link: `nav a[href$="/risks"]`, wait: "table.data"},
	{name: "risk", link: `table.data tbody a[href*="/risks/"]`, wait: "main h1"},
	{name: "plan", link: `nav a[href$="/plan"]`, wait: "main"},
	{name: "assessments", link: `nav a[href$="/assessments"]`, wait: "table.data"},
	{name: "assessment", link: `table.data tbody a[href*="/assessments/"]`, wait: "main"},
	{name: "executive-summary", link: `#exec-summary`, wait: "main"},
	{name: "model", link: `nav a[href$="/model"]`, wait: "main"},
	{name: "audit-log", link: `nav a[href$="/audit"]`, wait: "table.data"},
	{name: "my-work", from: "/", link: `#my-work-link`, wait: "main"},
	{name: "dashboard-phone", from: "/", link: `#workspaces tbody a[href^="/w/"]`, wait: "table.heat", width: 390},
}

// ownerLink reads the demo's banner up to the owner's one-use link.
func ownerLink(stdout interface{ Read([]byte) (int, error) }) (string, error) {
	re := regexp.MustCompile(`^\s*owner\s+(http://\S+/demo/sign-in/\S+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			// Keep draining the banner so the demo never blocks on a
			// full pipe.
			go func() {
				for sc.Scan() {
				}
			}()
			return m[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("the demo printed no owner sign-in link")
}

// freeAddr finds a loopback port that nothing listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
