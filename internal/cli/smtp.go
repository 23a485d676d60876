package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/url"

	"rcmguard/internal/notify"
)

// smtpFlags configure the mail relay of serve and demo. Without one the
// server sends no e-mail: owners copy invitation links themselves.
type smtpFlags struct {
	url          string
	from         string
	passwordFile string
}

func addSMTPFlags(fs *flag.FlagSet, f *smtpFlags) {
	fs.StringVar(&f.url, "smtp-url", "", "mail relay for invitations: smtp://user:password@host:587 (STARTTLS required), smtps://…:465, or smtp://host:25?tls=none for a relay on this machine; needs --public-url")
	fs.StringVar(&f.from, "smtp-from", "", "sender address of the e-mail (or ?from= in --smtp-url)")
	fs.StringVar(&f.passwordFile, "smtp-password-file", "", "file holding the relay's password, to keep it out of the process list and shell history")
}

// config reads the flags into the relay's configuration; ok is false when
// no relay is configured. withPassword reads --smtp-password-file (once:
// it may be standard input).
func (f smtpFlags) config(e *env, withPassword bool) (cfg notify.SMTPConfig, ok bool, err error) {
	if f.url == "" {
		if f.from != "" || f.passwordFile != "" {
			return cfg, false, errors.New("--smtp-from and --smtp-password-file need --smtp-url")
		}
		return cfg, false, nil
	}
	cfg, err = notify.ParseSMTPURL(f.url, f.from)
	if err != nil {
		return cfg, false, fmt.Errorf("--smtp-url: %w", err)
	}
	if f.passwordFile != "" {
		if cfg.Password != "" {
			return cfg, false, errors.New("--smtp-password-file and a password in --smtp-url: give one")
		}
		if cfg.Username == "" {
			return cfg, false, errors.New("--smtp-password-file needs the user name in --smtp-url (smtp://user@host)")
		}
		if cfg.Plaintext {
			return cfg, false, errors.New("--smtp-password-file with tls=none would send the password in clear; use STARTTLS or smtps://")
		}
		if withPassword {
			if cfg.Password, err = e.readPassword(f.passwordFile); err != nil {
				return cfg, false, fmt.Errorf("--smtp-password-file: %w", err)
			}
		}
	}
	return cfg, true, nil
}

// validate checks the relay flags against the rest: links in e-mail must
// point at the address people open, which only --public-url says (a
// request's Host header is the requester's to choose).
func (f smtpFlags) validate(e *env, publicURL string) error {
	_, ok, err := f.config(e, false)
	if err != nil || !ok {
		return err
	}
	if publicURL == "" {
		return errors.New("--smtp-url needs --public-url: the links in the e-mail must point at the address people open")
	}
	if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--public-url %q is not an http(s) address", publicURL)
	}
	return nil
}

// sender returns the relay's sender, nil when none is configured. It
// warns when links would cross the network in clear.
func (f smtpFlags) sender(e *env) (*notify.SMTP, error) {
	cfg, ok, err := f.config(e, true)
	if err != nil || !ok {
		return nil, err
	}
	s, err := notify.NewSMTP(cfg)
	if err != nil {
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	if cfg.Plaintext && !isLoopback(cfg.Host) {
		fmt.Fprintf(e.stderr, "rcmguard: warning: --smtp-url with tls=none sends invitation links to %s unencrypted; they let their holder join a workspace\n", cfg.Host)
	}
	fmt.Fprintf(e.stderr, "rcmguard: invitations go by e-mail through the %s\n", cfg.Describe())
	return s, nil
}
