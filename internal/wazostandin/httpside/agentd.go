package httpside

import (
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"
)

// agentdPrefix is where nginx mounts wazo-agentd (wazo-agentd
// etc/nginx/locations/https-available/wazo-agentd).
const agentdPrefix = "/api/agentd/1.0"

// agentdRoute is one wazo-agentd route: its mux pattern, the ACL it
// requires and its handler.
type agentdRoute struct {
	pattern string
	acl     func(*http.Request) string
	handle  func(w http.ResponseWriter, r *http.Request, t *token) error
}

// agentdRouteTable lists the wazo-agentd routes the stand-in serves
// (wazo-agentd wazo_agentd/plugins/agent/plugin.py and http.py): the
// user's own agent, and the by-number routes a supervisor's tools use.
func (s *Side) agentdRouteTable() []agentdRoute {
	const p = agentdPrefix
	return []agentdRoute{
		{"GET " + p + "/users/me/agents", fixedACL("agentd.users.me.agents.read"), s.userAgentStatus},
		{"POST " + p + "/users/me/agents/login", fixedACL("agentd.users.me.agents.login.create"), s.userAgentLogin},
		{"POST " + p + "/users/me/agents/logoff", fixedACL("agentd.users.me.agents.logoff.create"), s.userAgentLogoff},
		{"POST " + p + "/users/me/agents/pause", fixedACL("agentd.users.me.agents.pause.create"), s.userAgentPause},
		{"POST " + p + "/users/me/agents/unpause", fixedACL("agentd.users.me.agents.unpause.create"), s.userAgentUnpause},
		{"GET " + p + "/agents/by-number/{number}", numberACL(".read"), s.numberAgentStatus},
		{"POST " + p + "/agents/by-number/{number}/login", numberACL(".login.create"), s.numberAgentLogin},
		{"POST " + p + "/agents/by-number/{number}/logoff", numberACL(".logoff.create"), s.numberAgentLogoff},
		{"POST " + p + "/agents/by-number/{number}/pause", numberACL(".pause.create"), s.numberAgentPause},
		{"POST " + p + "/agents/by-number/{number}/unpause", numberACL(".unpause.create"), s.numberAgentUnpause},
	}
}

func numberACL(suffix string) func(*http.Request) string {
	return func(r *http.Request) string { return "agentd.agents.by-number." + r.PathValue("number") + suffix }
}

func (s *Side) agentdRoutes(mux *http.ServeMux) {
	for _, rt := range s.agentdRouteTable() {
		mux.HandleFunc(rt.pattern, s.agentdHandler(rt.acl, rt.handle))
	}
}

// agentdHandler checks the token and its ACL, then runs fn. wazo-agentd
// answers every refusal with {"error": "..."}: 401 "invalid token or
// unauthorized" for a bad token or a missing ACL, the exception's text with
// 400/404/409 otherwise (wazo-agentd wazo_agentd/http.py
// _common_error_handler).
func (s *Side) agentdHandler(acl func(*http.Request) string, fn func(w http.ResponseWriter, r *http.Request, t *token) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, cerr := s.authenticate(r, acl(r))
		if cerr != nil {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid token or unauthorized"})
			return
		}
		if err := fn(w, r, t); err != nil {
			var ae *AgentError
			if !errors.As(err, &ae) {
				ae = agentErr(http.StatusInternalServerError, "server error")
			}
			writeJSON(w, ae.Status, map[string]any{"error": ae.Message})
		}
	}
}

// agentdBody decodes the JSON object of a POST. Flask's
// get_json(force=True) refuses a body that is not JSON with a 400; a
// marshmallow ValidationError is 400 "invalid fields: <field>"
// (wazo_agentd/http.py).
func agentdBody(r *http.Request, v any) error {
	raw, err := readBody(r)
	if err != nil || len(raw) == 0 || json.Unmarshal(raw, v) != nil {
		return agentErr(http.StatusBadRequest, "Failed to decode JSON object")
	}
	return nil
}

// agentdDone turns an agentd refusal (a typed nil-able *AgentError) into
// the handler's result: 204 when there is none.
func agentdDone(w http.ResponseWriter, e *AgentError) error {
	if e != nil {
		return e
	}
	noContent(w)
	return nil
}

func (s *Side) userAgentStatus(w http.ResponseWriter, _ *http.Request, t *token) error {
	u, ag, e := s.agents.userAgent(t.UserUUID)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, s.agents.status(u, ag))
	return nil
}

// userAgentLogin: {"line_id": int} (schemas.py UserAgentLoginSchema).
func (s *Side) userAgentLogin(w http.ResponseWriter, r *http.Request, t *token) error {
	var body struct {
		LineID *int `json:"line_id"`
	}
	if err := agentdBody(r, &body); err != nil {
		return err
	}
	if body.LineID == nil {
		return agentErr(http.StatusBadRequest, "invalid fields: line_id")
	}
	u, ag, e := s.agents.userAgent(t.UserUUID)
	if e != nil {
		return e
	}
	return agentdDone(w, s.agents.loginOnLine(u, ag, *body.LineID))
}

func (s *Side) userAgentLogoff(w http.ResponseWriter, _ *http.Request, t *token) error {
	u, ag, e := s.agents.userAgent(t.UserUUID)
	if e != nil {
		return e
	}
	return agentdDone(w, s.agents.logoff(u, ag))
}

// pauseReason reads PauseSchema: an optional "reason" of 1 to 80
// characters (schemas.py).
func pauseReason(r *http.Request) (string, error) {
	var body struct {
		Reason *string `json:"reason"`
	}
	if err := agentdBody(r, &body); err != nil {
		return "", err
	}
	if body.Reason == nil {
		return "", nil
	}
	if n := utf8.RuneCountInString(*body.Reason); n < 1 || n > 80 {
		return "", agentErr(http.StatusBadRequest, "invalid fields: reason")
	}
	return *body.Reason, nil
}

func (s *Side) userAgentPause(w http.ResponseWriter, r *http.Request, t *token) error {
	reason, err := pauseReason(r)
	if err != nil {
		return err
	}
	u, ag, e := s.agents.userAgent(t.UserUUID)
	if e != nil {
		return e
	}
	return agentdDone(w, s.agents.pause(u, ag, true, reason))
}

func (s *Side) userAgentUnpause(w http.ResponseWriter, _ *http.Request, t *token) error {
	u, ag, e := s.agents.userAgent(t.UserUUID)
	if e != nil {
		return e
	}
	return agentdDone(w, s.agents.pause(u, ag, false, ""))
}

func (s *Side) numberAgentStatus(w http.ResponseWriter, r *http.Request, _ *token) error {
	u, ag, e := s.agents.numberAgent(r.PathValue("number"))
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, s.agents.status(u, ag))
	return nil
}

// numberAgentLogin: {"extension", "context"} both required (schemas.py
// AgentLoginSchema).
func (s *Side) numberAgentLogin(w http.ResponseWriter, r *http.Request, _ *token) error {
	var body struct {
		Extension *string `json:"extension"`
		Context   *string `json:"context"`
	}
	if err := agentdBody(r, &body); err != nil {
		return err
	}
	if body.Extension == nil || body.Context == nil {
		return agentErr(http.StatusBadRequest, "invalid fields: extension, context")
	}
	return agentdDone(w, s.SupervisorLogin(r.PathValue("number"), *body.Extension, *body.Context))
}

func (s *Side) numberAgentLogoff(w http.ResponseWriter, r *http.Request, _ *token) error {
	return agentdDone(w, s.SupervisorLogoff(r.PathValue("number")))
}

func (s *Side) numberAgentPause(w http.ResponseWriter, r *http.Request, _ *token) error {
	reason, err := pauseReason(r)
	if err != nil {
		return err
	}
	return agentdDone(w, s.SupervisorPause(r.PathValue("number"), reason))
}

func (s *Side) numberAgentUnpause(w http.ResponseWriter, r *http.Request, _ *token) error {
	return agentdDone(w, s.SupervisorUnpause(r.PathValue("number")))
}

// SupervisorLogin logs the agent with that number in on extension@context,
// as a supervisor's POST /agents/by-number/{number}/login does. The
// returned error is nil or an *AgentError (404 "no such agent", 409
// "already logged" …).
func (s *Side) SupervisorLogin(number, extension, context string) *AgentError {
	u, ag, e := s.agents.numberAgent(number)
	if e != nil {
		return e
	}
	return s.agents.loginOnExtension(u, ag, extension, context)
}

// SupervisorLogoff logs the agent with that number off (POST
// /agents/by-number/{number}/logoff).
func (s *Side) SupervisorLogoff(number string) *AgentError {
	u, ag, e := s.agents.numberAgent(number)
	if e != nil {
		return e
	}
	return s.agents.logoff(u, ag)
}

// SupervisorPause pauses the agent with that number with reason ("" for
// none) (POST /agents/by-number/{number}/pause).
func (s *Side) SupervisorPause(number, reason string) *AgentError {
	u, ag, e := s.agents.numberAgent(number)
	if e != nil {
		return e
	}
	return s.agents.pause(u, ag, true, reason)
}

// SupervisorUnpause unpauses the agent with that number (POST
// /agents/by-number/{number}/unpause).
func (s *Side) SupervisorUnpause(number string) *AgentError {
	u, ag, e := s.agents.numberAgent(number)
	if e != nil {
		return e
	}
	return s.agents.pause(u, ag, false, "")
}
