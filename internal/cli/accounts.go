package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/portwatch/portwatch/internal/auth"
	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/sqlite"
)

// openAccounts opens (creating if needed: accounts may be made before
// the first `serve`) the store the flags name, with an auth service.
func openAccounts(ctx context.Context, f *storeFlags) (*sqlite.DB, *auth.Service, error) {
	path, err := f.dbPath()
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, usageError{err}
	}
	svc, err := auth.NewService(db, auth.Options{})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, svc, nil
}

// cliAudit records an account change made from the command line.
func cliAudit(ctx context.Context, db store.Accounts, action, object, detail string) {
	_ = db.AddAudit(ctx, store.AuditEntry{Time: time.Now().UTC(), Actor: "cli:" + whoami(), Action: action, Object: object, Detail: detail, Status: 0})
}

// readPassword reads a new password: one line from standard input with
// --password-stdin, else typed twice on the terminal.
func readPassword(a *app, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(a.io.In).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	in, ok := a.io.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", usagef("no terminal to type a password on: pass --password-stdin and write it to standard input")
	}
	fmt.Fprint(a.io.Err, "New password: ")
	p1, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.io.Err)
	if err != nil {
		return "", err
	}
	fmt.Fprint(a.io.Err, "Again: ")
	p2, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.io.Err)
	if err != nil {
		return "", err
	}
	if string(p1) != string(p2) {
		return "", usagef("the passwords differ")
	}
	return string(p1), nil
}

// newUserCmd builds `portwatch user add|list|passwd|delete`.
func newUserCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage dashboard and API users (roles viewer, operator, admin)"}

	var addF storeFlags
	var role string
	var stdin bool
	add := &cobra.Command{
		Use:   "add NAME --role viewer|operator|admin",
		Short: "Create a user (the password is read from the terminal, or standard input with --password-stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			if err := auth.CheckUserName(args[0]); err != nil {
				return usageError{err}
			}
			ctx := cmd.Context()
			db, svc, err := openAccounts(ctx, &addF)
			if err != nil {
				return err
			}
			defer db.Close()
			pw, err := readPassword(a, stdin)
			if err != nil {
				return err
			}
			u, err := svc.AddUser(ctx, args[0], pw, r)
			if errors.Is(err, store.ErrConflict) {
				return usagef("user %q already exists", args[0])
			}
			if err != nil {
				return usageError{err}
			}
			cliAudit(ctx, db, "user.create", "user/"+u.Name, "role "+u.Role)
			fmt.Fprintf(a.io.Out, "user %s created with role %s\n", u.Name, u.Role)
			return nil
		},
	}
	addF.add(add)
	add.Flags().StringVar(&role, "role", "viewer", "role: viewer, operator or admin")
	add.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")

	var listF storeFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := listF.checkOutput(); err != nil {
				return err
			}
			db, _, err := openAccounts(cmd.Context(), &listF)
			if err != nil {
				return err
			}
			defer db.Close()
			us, err := db.ListUsers(cmd.Context())
			if err != nil {
				return storeErr("list users", err)
			}
			if listF.output == "json" {
				if us == nil {
					us = []store.User{}
				}
				return writeIndentedJSON(a.io.Out, us)
			}
			tw := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tLAST LOGIN\tSTATE")
			for _, u := range us {
				last, state := "never", "active"
				if u.LastLogin != nil {
					last = u.LastLogin.Format(time.RFC3339)
				}
				if u.Disabled {
					state = "disabled"
				} else if u.MustChange {
					state = "must change password"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safeCell(u.Name), u.Role, u.Created.Format(time.RFC3339), last, state)
			}
			return tw.Flush()
		},
	}
	listF.add(list)

	var pwF storeFlags
	var pwStdin bool
	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, svc, err := openAccounts(ctx, &pwF)
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := db.GetUser(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return usagef("no user %q", args[0])
			}
			if err != nil {
				return storeErr("get user", err)
			}
			pw, err := readPassword(a, pwStdin)
			if err != nil {
				return err
			}
			if err := svc.SetPassword(ctx, u.ID, pw); err != nil {
				return usageError{err}
			}
			cliAudit(ctx, db, "user.password", "user/"+u.Name, "")
			fmt.Fprintf(a.io.Out, "password of %s changed\n", u.Name)
			return nil
		},
	}
	pwF.add(passwd)
	passwd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input")

	var delF storeFlags
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a user and end their sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, _, err := openAccounts(ctx, &delF)
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := db.GetUser(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return usagef("no user %q", args[0])
			}
			if err != nil {
				return storeErr("get user", err)
			}
			if err := db.DeleteUser(ctx, u.ID); err != nil {
				return storeErr("delete user", err)
			}
			cliAudit(ctx, db, "user.delete", "user/"+u.Name, "")
			fmt.Fprintf(a.io.Out, "user %s deleted\n", u.Name)
			return nil
		},
	}
	delF.add(del)
	cmd.AddCommand(add, list, passwd, del)
	return cmd
}

// newTokenCmd builds `portwatch token create|list|revoke`.
func newTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}

	var cf storeFlags
	var name, role string
	var expires time.Duration
	create := &cobra.Command{
		Use:   "create --name NAME --role viewer|operator|admin [--expires 720h]",
		Short: "Create an API token; the secret is printed once and never stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			if expires < 0 {
				return usagef("--expires %s: must not be negative (0 means never)", expires)
			}
			ctx := cmd.Context()
			db, svc, err := openAccounts(ctx, &cf)
			if err != nil {
				return err
			}
			defer db.Close()
			secret, tok, err := svc.CreateToken(ctx, name, r, expires, "cli:"+whoami())
			if err != nil {
				return usageError{err}
			}
			cliAudit(ctx, db, "token.create", "token/"+strconv.FormatInt(tok.ID, 10), tok.Name+" role "+tok.Role)
			if cf.output == "json" {
				return writeIndentedJSON(a.io.Out, map[string]any{"id": tok.ID, "name": tok.Name, "role": tok.Role, "expires": tok.Expires, "token": secret})
			}
			fmt.Fprintln(a.io.Out, secret)
			exp := "never expires"
			if tok.Expires != nil {
				exp = "expires " + tok.Expires.Format(time.RFC3339)
			}
			fmt.Fprintf(a.io.Err, "token %d %q, role %s, %s. It is shown only now: store it safely.\n", tok.ID, tok.Name, tok.Role, exp)
			return nil
		},
	}
	cf.add(create)
	create.Flags().StringVar(&name, "name", "", "what the token is for (required)")
	create.Flags().StringVar(&role, "role", "viewer", "role: viewer, operator or admin")
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h (0: never expires)")
	_ = create.MarkFlagRequired("name")

	var lf storeFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List API tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lf.checkOutput(); err != nil {
				return err
			}
			db, _, err := openAccounts(cmd.Context(), &lf)
			if err != nil {
				return err
			}
			defer db.Close()
			ts, err := db.ListTokens(cmd.Context())
			if err != nil {
				return storeErr("list tokens", err)
			}
			if lf.output == "json" {
				if ts == nil {
					ts = []store.Token{}
				}
				return writeIndentedJSON(a.io.Out, ts)
			}
			tw := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tROLE\tCREATED\tEXPIRES\tLAST USED\tSTATE")
			now := time.Now()
			for _, t := range ts {
				exp, used, state := "never", "never", "active"
				if t.Expires != nil {
					exp = t.Expires.Format(time.RFC3339)
					if !now.Before(*t.Expires) {
						state = "expired"
					}
				}
				if t.LastUsed != nil {
					used = t.LastUsed.Format(time.RFC3339)
				}
				if t.Revoked != nil {
					state = "revoked"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", t.ID, safeCell(t.Name), t.Prefix, t.Role, t.Created.Format(time.RFC3339), exp, used, state)
			}
			return tw.Flush()
		},
	}
	lf.add(list)

	var rf storeFlags
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("token id %q is not a positive number", args[0])
			}
			ctx := cmd.Context()
			db, _, err := openAccounts(ctx, &rf)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.RevokeToken(ctx, id, time.Now().UTC()); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return usagef("no token %d", id)
				}
				return storeErr("revoke token", err)
			}
			cliAudit(ctx, db, "token.revoke", "token/"+args[0], "")
			fmt.Fprintf(a.io.Out, "token %d revoked\n", id)
			return nil
		},
	}
	rf.add(revoke)
	cmd.AddCommand(create, list, revoke)
	return cmd
}
