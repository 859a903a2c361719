// Package auth authenticates requests to the API and dashboard and says
// what they may do.
//
// Two kinds of credentials exist. API tokens ("pwt_" and 43 random
// characters) are shown once when created and stored only as SHA-256
// digests: they carry 256 bits of entropy, so a fast digest is as safe
// as a slow one and lets every request be checked in microseconds.
// Passwords are hashed with argon2id (PHC string format, parameters kept
// in the hash so they can be raised later). A successful login creates a
// session: a random cookie value, stored as a digest, with its own CSRF
// token that every state-changing request made with the cookie must
// echo (form field csrf_token or header X-CSRF-Token).
//
// Every principal has one of three roles, each including the one below:
// viewer reads everything except accounts and the audit log, operator
// also acknowledges and resolves findings, manages silences, starts scans
// and creates runtime monitors, admin also manages users and tokens and
// reads the audit log.
package auth
