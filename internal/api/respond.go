package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// apiError is an error with its HTTP status and machine-readable code.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errBadRequest(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "bad_request", format, args...)
}

func errNotFound(format string, args ...any) *apiError {
	return newError(http.StatusNotFound, "not_found", format, args...)
}

func errConflict(format string, args ...any) *apiError {
	return newError(http.StatusConflict, "conflict", format, args...)
}

func errForbidden(format string, args ...any) *apiError {
	return newError(http.StatusForbidden, "forbidden", format, args...)
}

// errParam is a bad query or path parameter; the message names it.
func errParam(err error) *apiError { return errBadRequest("%v", err) }

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError writes err as {"error": {"code", "message"}}; an error that
// is not an apiError is a 500 whose text stays in the log.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = newError(http.StatusInternalServerError, "internal", "internal error")
	}
	writeJSON(w, ae.Status, map[string]*apiError{"error": ae})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="portwatch"`)
	writeError(w, newError(http.StatusUnauthorized, "unauthorized", "authentication required: send Authorization: Bearer TOKEN (portwatch token create) or log in"))
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decode reads a JSON request body into v: Content-Type
// application/json, at most 1 MiB, no unknown fields, one value.
func decode(c *call, v any) error {
	ct := c.r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "request body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return newError(http.StatusRequestEntityTooLarge, "too_large", "request body over %d bytes", maxBody)
		}
		if errors.Is(err, io.EOF) {
			return errBadRequest("request body: empty; want a JSON object")
		}
		return errBadRequest("request body: %v", err)
	}
	if dec.More() {
		return errBadRequest("request body: more than one JSON value")
	}
	return nil
}

// readBody reads a raw JSON body (for specs validated elsewhere).
func readBody(c *call) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "request body must be JSON (Content-Type: application/json)")
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newError(http.StatusRequestEntityTooLarge, "too_large", "request body over %d bytes", maxBody)
		}
		return nil, errBadRequest("request body: %v", err)
	}
	if !json.Valid(b) {
		return nil, errBadRequest("request body: not valid JSON")
	}
	return b, nil
}
