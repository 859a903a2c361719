package alert

// FlapOptions tunes flap detection (Nagios-style): the share of state
// transitions among an endpoint's last Window observations, the newer ones
// weighted more (0.8 for the oldest transition up to 1.2 for the newest).
// An endpoint starts flapping above High percent and stops below Low.
type FlapOptions struct {
	Window int     // observations kept (default 21, as Nagios)
	High   float64 // percent (default 50)
	Low    float64 // percent (default 25)
}

func (o FlapOptions) withDefaults() FlapOptions {
	if o.Window < 3 {
		o.Window = 21
	}
	if o.High <= 0 {
		o.High = 50
	}
	if o.Low <= 0 || o.Low >= o.High {
		o.Low = o.High / 2
	}
	return o
}

// minFlapObservations is how many observations flap detection needs
// before it may say "flapping": few enough that a port toggled at every
// check is caught after three round trips, enough that a single outage
// (two transitions) never is.
const minFlapObservations = 6

// flapTracker keeps one endpoint's recent states.
type flapTracker struct {
	states   []string // ring of the last Window states, oldest first
	flapping bool
	// while flapping: transitions seen, for the summary
	transitions int
}

// observe adds a state and returns the percent state change and whether
// flapping started or stopped with it.
func (f *flapTracker) observe(o FlapOptions, state string) (pct float64, started, stopped bool) {
	if n := len(f.states); n > 0 && f.states[n-1] != state && f.flapping {
		f.transitions++
	}
	f.states = append(f.states, state)
	if len(f.states) > o.Window {
		f.states = f.states[len(f.states)-o.Window:]
	}
	pct = percentChange(f.states)
	switch {
	case !f.flapping && len(f.states) >= minFlapObservations && pct > o.High:
		f.flapping, f.transitions = true, 0
		return pct, true, false
	case f.flapping && pct < o.Low:
		f.flapping = false
		return pct, false, true
	}
	return pct, false, false
}

// percentChange is the weighted share of transitions between consecutive
// states, in percent.
func percentChange(states []string) float64 {
	n := len(states) - 1 // transitions
	if n < 1 {
		return 0
	}
	var changed, total float64
	for i := 1; i <= n; i++ {
		w := 0.8
		if n > 1 {
			w += 0.4 * float64(i-1) / float64(n-1)
		}
		total += w
		if states[i] != states[i-1] {
			changed += w
		}
	}
	return 100 * changed / total
}
