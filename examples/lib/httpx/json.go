package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// WriteError writes {"error": msg} with the given status.
func WriteError(w http.ResponseWriter, status int, msg string) {
	_ = WriteJSON(w, status, errorBody{Error: msg})
}

// RequestError is a client error found while reading a request, with the
// status to answer.
type RequestError struct {
	Status int
	Msg    string
}

func (e *RequestError) Error() string { return e.Msg }

// DecodeJSON reads a JSON request body of at most maxBytes into v, rejecting
// unknown fields and trailing data. Failures are *RequestError values
// carrying 400 or 413.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, maxBytes int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &RequestError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body exceeds %d bytes", maxBytes)}
		}
		return &RequestError{Status: http.StatusBadRequest, Msg: "invalid JSON: " + err.Error()}
	}
	if dec.More() {
		return &RequestError{Status: http.StatusBadRequest, Msg: "invalid JSON: trailing data after the object"}
	}
	return nil
}
