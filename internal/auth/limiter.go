package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (a user name, a client address)
// in a fixed window and refuses further attempts for a key that reached
// the limit until its window ends. A success clears the key. Memory is
// bounded: expired keys are swept when the table grows.
type Limiter struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	failures int
	start    time.Time
}

// maxLimiterKeys bounds the table; beyond it, expired keys are swept and,
// if that is not enough, new keys start blocked until space frees up
// (an attacker rotating addresses cannot exhaust memory).
const maxLimiterKeys = 100_000

// NewLimiter allows max failures per key per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, keys: map[string]*attempts{}}
}

// Allow reports whether key may try now, and if not, when it may again.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil {
		if len(l.keys) >= maxLimiterKeys {
			l.sweep(now)
			if len(l.keys) >= maxLimiterKeys {
				return false, l.window
			}
		}
		return true, 0
	}
	if now.Sub(a.start) >= l.window {
		delete(l.keys, key)
		return true, 0
	}
	if a.failures >= l.max {
		return false, a.start.Add(l.window).Sub(now)
	}
	return true, 0
}

// Fail counts a failed attempt for key.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.keys[key]
	if a == nil || now.Sub(a.start) >= l.window {
		if a == nil && len(l.keys) >= maxLimiterKeys {
			l.sweep(now)
		}
		a = &attempts{start: now}
		l.keys[key] = a
	}
	a.failures++
}

// Succeed clears key.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

func (l *Limiter) sweep(now time.Time) {
	for k, a := range l.keys {
		if now.Sub(a.start) >= l.window {
			delete(l.keys, k)
		}
	}
}
