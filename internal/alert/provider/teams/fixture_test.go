package teams

import (
	"flag"
	"testing"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/internal/providertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the current output")

func sampleMessage() notify.Message { return providertest.SampleMessage() }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	providertest.Golden(t, name, got, *update)
}
