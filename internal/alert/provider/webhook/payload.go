package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// SchemaVersion is the envelope version; it changes only when a field is
// removed or changes meaning (added fields do not bump it).
const SchemaVersion = 1

// Envelope is the JSON body of every webhook request.
type Envelope struct {
	// Version is SchemaVersion.
	Version int `json:"version"`
	// Message is the notification, with notify.Message's JSON names.
	Message notify.Message `json:"message"`
}

// Encode renders the request body for m: compact JSON, HTML characters
// not escaped, no trailing newline. Equal messages give equal bytes.
func Encode(m notify.Message) ([]byte, error) {
	if m.Items == nil {
		m.Items = []notify.Item{} // "items": [] rather than null
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Envelope{Version: SchemaVersion, Message: m}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Sign returns the SignatureHeader value for body sent at t:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>".
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
