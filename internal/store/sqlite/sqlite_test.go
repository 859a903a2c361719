package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/portwatch/portwatch/internal/store"
	"github.com/portwatch/portwatch/internal/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "portwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, openTemp)
}

func TestDurability(t *testing.T) {
	storetest.RunDurability(t, storetest.Durability{
		NewDSN: func(t *testing.T) string { return filepath.Join(t.TempDir(), "portwatch.db") },
		Open: func(ctx context.Context, dsn string) (store.Store, error) {
			return Open(ctx, dsn)
		},
	})
}

func TestAlertingContract(t *testing.T) {
	storetest.RunAlerting(t, func(t *testing.T) storetest.AlertingBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "portwatch.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestAccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) storetest.AccountsBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "portwatch.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
