package selftest

// Status is a check's verdict.
type Status string

// Verdicts. Skipped is for a check that does not apply to this setup (no
// event websocket on a plain SIP line, TURN, which Parley does not use) or
// could not run because an earlier step failed.
const (
	StatusRunning Status = "running"
	StatusOK      Status = "ok"
	StatusWarning Status = "warning"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "not checked"
)

// Check identifiers, in the order the checks are listed.
const (
	CheckServer       = "server"
	CheckCertificate  = "certificate"
	CheckRegistration = "registration"
	CheckWebSocket    = "websocket"
	CheckICEHost      = "ice-host"
	CheckICEReflexive = "ice-srflx"
	CheckICERelay     = "ice-relay"
	CheckMicrophone   = "microphone"
	CheckSpeaker      = "speaker"
)

// Info names one check for the list shown before the results come in.
type Info struct {
	ID   string
	Name string
}

// Result is one line of the report: the verdict, one sentence saying what
// was found, and what to do about it when it is not ok.
type Result struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`
	Advice  string `json:"advice,omitempty"`
	// SummaryMsg and AdviceMsg are Summary and Advice before wording,
	// for a front end that translates them (Summary and Advice are
	// their English rendering).
	SummaryMsg Message `json:"-"`
	AdviceMsg  Message `json:"-"`
	// Fingerprint is the server certificate's SHA-256 (colon-separated
	// hex) on the certificate check, so the window can show it in full.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// String is the line as the diagnostics bundle writes it.
func (r Result) String() string {
	s := r.Name + ": " + string(r.Status) + ": " + r.Summary
	if r.Advice != "" {
		s += " " + r.Advice
	}
	return s
}

var checkNames = map[string]string{
	CheckServer:       "Server reachable",
	CheckCertificate:  "Server certificate",
	CheckRegistration: "SIP registration",
	CheckWebSocket:    "Wazo event connection",
	CheckICEHost:      "Local network addresses (ICE host)",
	CheckICEReflexive: "Public address through STUN (ICE server-reflexive)",
	CheckICERelay:     "Relay through TURN (ICE relay)",
	CheckMicrophone:   "Microphone",
	CheckSpeaker:      "Speaker",
}

// All lists every check in display order.
func All() []Info {
	ids := []string{CheckServer, CheckCertificate, CheckRegistration, CheckWebSocket,
		CheckICEHost, CheckICEReflexive, CheckICERelay, CheckMicrophone, CheckSpeaker}
	out := make([]Info, len(ids))
	for i, id := range ids {
		out[i] = Info{ID: id, Name: checkNames[id]}
	}
	return out
}

// result is one check's verdict; advice may be the zero Message.
func result(id string, st Status, summary, advice Message) Result {
	return Result{ID: id, Name: checkNames[id], Status: st,
		Summary: summary.Render(), Advice: advice.Render(), SummaryMsg: summary, AdviceMsg: advice}
}
