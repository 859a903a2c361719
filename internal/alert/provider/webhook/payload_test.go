package webhook

import (
	"bytes"
	"testing"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

func TestEncodeGolden(t *testing.T) {
	body, err := Encode(sampleMessage())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "envelope.json", body)
	if bytes.HasSuffix(body, []byte("\n")) {
		t.Error("body ends with a newline")
	}
}

func TestEncodeStableAndEmptyItems(t *testing.T) {
	a, _ := Encode(sampleMessage())
	b, _ := Encode(sampleMessage())
	if !bytes.Equal(a, b) {
		t.Fatal("two encodings of one message differ")
	}
	body, err := Encode(notify.Message{ID: "x", Event: notify.EventTest, Time: time.Unix(0, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "envelope-minimal.json", body)
}

// TestSignKnownAnswer pins Sign to a value computed with openssl:
//
//	printf '%s' '1763758800.{"version":1}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef'
func TestSignKnownAnswer(t *testing.T) {
	got := Sign([]byte("whsec_0123456789abcdef"), time.Unix(1763758800, 0), []byte(`{"version":1}`))
	want := "t=1763758800,v1=bdd06e1237ae5d40be70129c240d466e878de365cb7ab687aa62fa18c1bb6ac7"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
