package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rcmguard/examples"
	"rcmguard/internal/app"
	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/demo"
	"rcmguard/internal/model"
	"rcmguard/internal/seal"
	"rcmguard/internal/store"
	"rcmguard/internal/web"
)

const demoUsage = "demo [--addr HOST:PORT] [--db PATH|postgres://…] [--key-file FILE] [--idle-timeout 15m] [--public-url URL] [--smtp-url URL [--smtp-from ADDRESS] [--smtp-password-file FILE]]"

// demoWorkspace is one workspace the demo creates and the example model it
// starts from; clients get the practice example under their own name.
type demoWorkspace struct {
	name, kind, parent, example string
}

var demoWorkspaces = []demoWorkspace{
	{"Riverbend Family Medicine", store.KindPractice, "", "practice.yaml"},
	{"Keystone Revenue Partners", store.KindBillingCompany, "", "billing-company.yaml"},
	{"Lakeside Pediatrics", store.KindPractice, "Keystone Revenue Partners", "practice.yaml"},
	{"Harbor Orthopedics", store.KindPractice, "Keystone Revenue Partners", "practice.yaml"},
}

var demoRoles = []struct {
	email string
	role  auth.Role
}{
	{"owner@demo.rcmguard.test", auth.RoleOwner},
	{"compliance@demo.rcmguard.test", auth.RoleComplianceOfficer},
	{"contributor@demo.rcmguard.test", auth.RoleContributor},
	{"auditor@demo.rcmguard.test", auth.RoleAuditor},
}

// demoActor names the demo's set-up in audit entries.
var demoActor = audit.CLIActor("demo")

type demoUser struct {
	email, password, secret string
	role                    auth.Role
	link                    string // path of its one-use sign-in link
}

// runDemo creates a throw-away installation from the bundled examples and
// serves it on 127.0.0.1.
func runDemo(e *env, args []string) int {
	fs := e.newFlagSet("demo", demoUsage)
	db := addDBFlags(fs)
	var sf serverFlags
	addServerFlags(fs, &sf)
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if err := sf.validate(e); err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	// The demo prints its passwords and serves plain HTTP: keep it on this
	// machine.
	if host, _, _ := net.SplitHostPort(sf.addr); !isLoopback(host) {
		e.errorf("demo", "the demo serves on the loopback interface only (127.0.0.1); use rcmguard serve for a network address")
		return exitInvalid
	}
	ctx := context.Background()
	var kr *seal.Keyring
	var err error
	if db.db == "" {
		dir, err := os.MkdirTemp("", "rcmguard-demo-")
		if err != nil {
			e.errorf("demo", "%v", err)
			return exitInvalid
		}
		db.db = filepath.Join(dir, "rcmguard.db")
		k, err := seal.GenerateKey()
		if err != nil {
			e.errorf("demo", "%v", err)
			return exitInvalid
		}
		kr = seal.NewKeyring(k)
		if err := writeFileAtomic(filepath.Join(dir, "key"), seal.FormatKeyFile(kr), 0o600, true); err != nil {
			e.errorf("demo", "%v", err)
			return exitInvalid
		}
		fmt.Fprintf(e.stdout, "Demo data in %s (database rcmguard.db, key file key). Delete the directory when done.\n\n", dir)
	} else if kr, err = db.keyring(); err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	st, err := store.Open(ctx, db.db, store.WithKeyring(kr))
	if err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	alog, err := startAuditLog(ctx, st, kr, logger, false)
	if err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	links := web.NewDemoSignIn()
	srv, err := newWebServer(e, st, alog, logger, sf, links)
	if err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	users, err := e.seedDemo(ctx, st, kr, srv)
	if err != nil {
		e.errorf("demo", "%v", err)
		return exitInvalid
	}
	for i := range users {
		users[i].link = links.Add(users[i].email, users[i].password, users[i].secret)
	}
	return e.listenAndServe("demo", srv, sf, func(url string) {
		fmt.Fprintf(e.stdout, "rcmguard demo is running at %s  (Ctrl-C to stop)\n\n", url)
		fmt.Fprintln(e.stdout, "To look around at once, open one of these links in a browser on this machine. Each signs")
		fmt.Fprintln(e.stdout, "its account in (password and authenticator code) once, and only during this demo run:")
		fmt.Fprintln(e.stdout)
		for _, u := range users {
			fmt.Fprintf(e.stdout, "  %-19s %s%s\n", roleName(u.role), url, u.link)
		}
		fmt.Fprintln(e.stdout)
		fmt.Fprintf(e.stdout, "Or sign in at %s/login with one of these accounts (each is a member of every demo workspace):\n\n", url)
		for _, u := range users {
			fmt.Fprintf(e.stdout, "  %-19s %-32s password: %s\n", roleName(u.role), u.email, u.password)
			fmt.Fprintf(e.stdout, "  %-19s TOTP secret: %s\n\n", "", u.secret)
		}
		fmt.Fprintln(e.stdout, "At first sign-in each account enrols two-step verification: scan the QR code on the page")
		fmt.Fprintln(e.stdout, "(or add the TOTP secret shown above) in an authenticator app and enter its code; the page")
		fmt.Fprintln(e.stdout, "then shows ten one-time recovery codes. As on any rcmguard server, a session needs both")
		fmt.Fprintln(e.stdout, "factors: the links above only enter the code for you.")
		fmt.Fprintln(e.stdout)
		fmt.Fprintln(e.stdout, "The contributor changes only what is assigned to them: here the data flows, systems and")
		fmt.Fprintln(e.stdout, "vendors, and every risk's decision (owners assign work on the Members page).")
		fmt.Fprintln(e.stdout)
		fmt.Fprintln(e.stdout, "Each workspace holds synthetic evidence - a PHI scan of made-up files, an EDI inspection")
		fmt.Fprintln(e.stdout, "of a made-up 837 and a probe of a deliberately weak local TLS server - behind its EVD-* risks.")
	})
}

// demoContributorWork is what the demo's contributor may change in every
// workspace, as an owner would assign it on the Members page.
var demoContributorWork = []string{store.ModelObject + "flows", store.ModelObject + "systems", store.ModelObject + "vendors",
	store.RiskObject + store.AllObjects}

func assignDemoWork(ctx context.Context, st *store.Store, log *audit.Log, ids map[string]int64, user int64, now time.Time) error {
	for _, dw := range demoWorkspaces {
		ws := ids[dw.name]
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for _, o := range demoContributorWork {
				if err := tx.Assign(ctx, store.Assignment{WorkspaceID: ws, UserID: user, Object: o, CreatedBy: user, Created: now}); err != nil {
					return err
				}
			}
			_, err := log.Append(ctx, tx, audit.Event{At: now, Actor: demoActor, WorkspaceID: ws, Action: audit.AssignmentsSet,
				Object: string(audit.UserActor(user)), Details: map[string]any{"assigned": demoContributorWork}})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func roleName(r auth.Role) string {
	switch r {
	case auth.RoleComplianceOfficer:
		return "compliance officer"
	}
	return string(r)
}

// seedDemo creates the demo workspaces, users and models, gives each
// workspace synthetic evidence (package demo) and runs a first
// assessment in each workspace. Every step is audited like any other
// change.
func (e *env) seedDemo(ctx context.Context, st *store.Store, kr *seal.Keyring, srv *web.Server) ([]demoUser, error) {
	log := audit.New(kr)
	now := e.now()
	actor := demoActor
	ids := map[string]int64{}
	for _, dw := range demoWorkspaces {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			w, err := tx.CreateWorkspace(ctx, store.Workspace{Name: dw.name, Kind: dw.kind, ParentID: ids[dw.parent], Created: now})
			if err != nil {
				return err
			}
			ids[dw.name] = w.ID
			_, err = log.Append(ctx, tx, audit.Event{At: now, Actor: actor, WorkspaceID: w.ID, Action: audit.WorkspaceCreate,
				Object: fmt.Sprintf("workspace:%d", w.ID), Details: map[string]any{"kind": w.Kind}})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("create demo workspace %q: %w", dw.name, err)
		}
	}
	svc := auth.New(st, log, auth.Config{})
	var users []demoUser
	for _, r := range demoRoles {
		pw := "demo-" + rand.Text()
		u, enr, err := svc.CreateUser(ctx, auth.NewUser{Email: r.email, Password: pw, Workspace: demoWorkspaces[0].name,
			Role: r.role, Actor: actor}, now)
		if err != nil {
			return nil, fmt.Errorf("create demo user %s: %w", r.email, err)
		}
		m, err := st.Membership(ctx, ids[demoWorkspaces[0].name], u.ID)
		if err != nil {
			return nil, err
		}
		for _, dw := range demoWorkspaces[1:] {
			err := st.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.PutMembership(ctx, store.Membership{UserID: u.ID, WorkspaceID: ids[dw.name], Role: string(r.role),
					Expires: m.Expires, Created: now}); err != nil {
					return err
				}
				_, err := log.Append(ctx, tx, audit.Event{At: now, Actor: actor, WorkspaceID: ids[dw.name], Action: audit.MembershipPut,
					Object: string(audit.UserActor(u.ID)), Details: map[string]any{"role": string(r.role)}})
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("add demo user %s to %q: %w", r.email, dw.name, err)
			}
		}
		if r.role == auth.RoleContributor {
			if err := assignDemoWork(ctx, st, log, ids, u.ID, now); err != nil {
				return nil, fmt.Errorf("assign work to %s: %w", r.email, err)
			}
		}
		users = append(users, demoUser{email: r.email, password: pw, secret: enr.Secret, role: r.role})
	}
	owner, err := st.UserByEmail(ctx, demoRoles[0].email)
	if err != nil {
		return nil, err
	}
	// The owner imports the models, uploads the evidence and runs the
	// first assessments through the same use cases as the pages.
	a := srv.App()
	who := app.Actor{User: owner, Via: app.ViaCLI}
	tlsAddr, stopTLS, err := demo.StartPortal(now)
	if err != nil {
		return nil, fmt.Errorf("demo TLS server: %w", err)
	}
	defer stopTLS()
	for i, dw := range demoWorkspaces {
		data, err := demoModel(dw)
		if err != nil {
			return nil, err
		}
		ws, err := a.Enter(ctx, owner.ID, ids[dw.name])
		if err != nil {
			return nil, err
		}
		if _, err := a.ImportModel(ctx, who, ws, data, app.AnyRevision); err != nil {
			return nil, fmt.Errorf("demo model for %q: %w", dw.name, err)
		}
		m, err := model.Load(dw.example, data)
		if err != nil {
			return nil, err
		}
		// The owner uploads the evidence, as on the Evidence page, so that
		// the first assessment is backed by it.
		files, err := demo.Evidence(ctx, i, dw.example, m, tlsAddr, e.now)
		if err != nil {
			return nil, fmt.Errorf("demo evidence for %q: %w", dw.name, err)
		}
		for _, f := range files {
			if _, err := a.AddEvidence(ctx, who, ws, f.Name, f.Data); err != nil {
				return nil, fmt.Errorf("demo evidence %s for %q: %w", f.Name, dw.name, err)
			}
		}
		if _, err := a.RunAssessment(ctx, who, ws); err != nil {
			return nil, fmt.Errorf("demo assessment for %q: %w", dw.name, err)
		}
	}
	return users, nil
}

// demoModel returns the example model for a workspace; a client practice
// gets the practice example retold as its own: its name, and the short
// name the example's prose and addresses use ("Riverbend's billing
// operation", riverbend-mail.example), so that no client's scope or notes
// speak of another organisation.
func demoModel(dw demoWorkspace) ([]byte, error) {
	data, err := examples.FS.ReadFile(dw.example)
	if err != nil {
		return nil, err
	}
	if dw.parent == "" {
		return data, nil
	}
	m, err := model.Load(dw.example, data)
	if err != nil {
		return nil, err
	}
	from, to := m.Organization.Name, dw.name
	fromShort, toShort := strings.Fields(from)[0], strings.Fields(to)[0]
	text := strings.NewReplacer(from, to, fromShort, toShort, strings.ToLower(fromShort), strings.ToLower(toShort)).Replace(string(data))
	m, err = model.Load(dw.example, []byte(text))
	if err != nil {
		return nil, fmt.Errorf("the %s example retold for %q: %w", dw.example, dw.name, err)
	}
	if m.Organization.Name != dw.name {
		return nil, fmt.Errorf("the %s example retold for %q names %q", dw.example, dw.name, m.Organization.Name)
	}
	return []byte(text), nil
}
