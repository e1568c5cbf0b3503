package wazo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// agentdPrefix is wazo-agentd behind nginx (wazo-agentd
// etc/nginx/locations/https-available/wazo-agentd).
const agentdPrefix = "/api/agentd/1.0/users/me/agents"

// wazo-agentd's refusals. Its error body is {"error": "<text>"}, the text
// one of wazo_agentd/exception.py's constants ("part of the exposed HTTP
// API"), so the text is what tells them apart (docs/wazo-protocol.md,
// wazo-agentd).
var (
	ErrNoAgent              = errors.New("this Wazo account has no agent")
	ErrAgentAlreadyLoggedIn = errors.New("the agent is already logged in")
	ErrAgentNotLoggedIn     = errors.New("the agent is not logged in")
	ErrAgentNoSuchLine      = errors.New("that line is not this user's")
	ErrAgentExtensionInUse  = errors.New("another agent is logged in on that extension")
	ErrAgentNoSuchExtension = errors.New("that extension does not exist")
)

// agentdErrors maps wazo-agentd's error texts (exception.py) to sentinels.
var agentdErrors = map[string]error{
	"no such agent":                        ErrNoAgent,
	"already logged":                       ErrAgentAlreadyLoggedIn,
	"not logged in":                        ErrAgentNotLoggedIn,
	"no such line":                         ErrAgentNoSuchLine,
	"extension and context already in use": ErrAgentExtensionInUse,
	"no such extension and context":        ErrAgentNoSuchExtension,
}

// AgentStatus is wazo-agentd's agent status (wazo-agentd
// service/handler/status.py _handle_status). A logged-out agent has
// Logged false, no extension and no queues; null strings decode as "".
type AgentStatus struct {
	ID             int          `json:"id"`
	TenantUUID     string       `json:"tenant_uuid"`
	OriginUUID     string       `json:"origin_uuid"`
	Number         string       `json:"number"`
	Logged         bool         `json:"logged"`
	Paused         bool         `json:"paused"`
	PausedReason   string       `json:"paused_reason"`
	Extension      string       `json:"extension"`
	Context        string       `json:"context"`
	StateInterface string       `json:"state_interface"`
	Queues         []AgentQueue `json:"queues"`
}

// AgentQueue is one queue of a logged-in agent's status.
type AgentQueue struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	Logged       bool   `json:"logged"`
	Paused       bool   `json:"paused"`
	PausedReason string `json:"paused_reason"`
}

func (c *Client) agentd(ctx context.Context, method, path string, body, out any) error {
	_, err := c.do(ctx, request{method: method, path: agentdPrefix + path, body: body, out: out, auth: true})
	return err
}

// AgentStatus fetches the user's agent (GET /users/me/agents, ACL
// agentd.users.me.agents.read). A user who is no agent gets ErrNoAgent.
func (c *Client) AgentStatus(ctx context.Context) (AgentStatus, error) {
	var st AgentStatus
	err := c.agentd(ctx, http.MethodGet, "", nil, &st)
	return st, err
}

// AgentLogin logs the user's agent in on one of the user's lines (POST
// /users/me/agents/login {"line_id"}, ACL agentd.users.me.agents.login.create):
// wazo-agentd takes the line's main extension and context. Errors:
// ErrAgentAlreadyLoggedIn, ErrAgentNoSuchLine, ErrNoAgent.
func (c *Client) AgentLogin(ctx context.Context, lineID int) error {
	return c.agentd(ctx, http.MethodPost, "/login", map[string]int{"line_id": lineID}, nil)
}

// AgentLogoff logs the user's agent off (POST /users/me/agents/logoff).
// ErrAgentNotLoggedIn when it was not logged in.
func (c *Client) AgentLogoff(ctx context.Context) error {
	return c.agentd(ctx, http.MethodPost, "/logoff", struct{}{}, nil)
}

// AgentPause pauses the user's agent in all its queues (POST
// /users/me/agents/pause). reason is optional: "" sends none (the schema
// refuses an empty string, and more than 80 characters). wazo-agentd reads
// the body with get_json(force=True), so a JSON body is always sent.
// ErrAgentNotLoggedIn when logged out.
func (c *Client) AgentPause(ctx context.Context, reason string) error {
	body := map[string]string{}
	if reason != "" {
		body["reason"] = reason
	}
	return c.agentd(ctx, http.MethodPost, "/pause", body, nil)
}

// AgentUnpause unpauses the user's agent (POST /users/me/agents/unpause).
func (c *Client) AgentUnpause(ctx context.Context) error {
	return c.agentd(ctx, http.MethodPost, "/unpause", struct{}{}, nil)
}

// AgentStatusEvent is agent_status_update's data (wazo-bus
// resources/agent/event.py AgentStatusUpdatedEvent): Status is "logged_in"
// or "logged_out". It carries no extension or queue: read AgentStatus.
type AgentStatusEvent struct {
	AgentID int    `json:"agent_id"`
	Status  string `json:"status"`
}

// AgentPauseEvent is agent_paused / agent_unpaused data (wazo-bus
// AgentPausedEvent, AgentUnpausedEvent): one event per queue the pause
// applied to (Asterisk's QueueMemberPause), with that queue's name.
type AgentPauseEvent struct {
	AgentID      int    `json:"agent_id"`
	AgentNumber  string `json:"agent_number"`
	Paused       bool   `json:"paused"`
	PausedReason string `json:"paused_reason"`
	Queue        string `json:"queue"`
}

// IsAgentEvent: agent_status_update, agent_paused and agent_unpaused.
func (e Event) IsAgentEvent() bool {
	switch e.Name {
	case "agent_status_update", "agent_paused", "agent_unpaused":
		return true
	}
	return false
}

// AgentStatusUpdate decodes agent_status_update.
func (e Event) AgentStatusUpdate() (AgentStatusEvent, error) {
	var a AgentStatusEvent
	if err := json.Unmarshal(e.Data, &a); err != nil {
		return a, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return a, nil
}

// AgentPause decodes agent_paused / agent_unpaused.
func (e Event) AgentPause() (AgentPauseEvent, error) {
	var a AgentPauseEvent
	if err := json.Unmarshal(e.Data, &a); err != nil {
		return a, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	return a, nil
}
