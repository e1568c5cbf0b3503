// Package directory holds the users the stand-in knows: what wazo-auth logs
// in, what wazo-confd describes and whose SIP lines the registrar
// authenticates. Both the HTTP side and the SIP side read it; neither owns
// it.
package directory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// Errors of the user directory.
var (
	// ErrInvalidUser: Add got a user without username or password.
	ErrInvalidUser = errors.New("wazostandin: a user needs a username and a password")
	// ErrDuplicateUser: Add got a username or uuid that already exists.
	ErrDuplicateUser = errors.New("wazostandin: user already exists")
	// ErrNoSuchUser: the user uuid is unknown.
	ErrNoSuchUser = errors.New("wazostandin: no such user")
)

// LineProtocol is the endpoint kind of a confd line.
type LineProtocol string

// Line protocols (docs/wazo-protocol.md, Lines and registration step 4: only SIP lines have a merged SIP endpoint).
const (
	LineSIP    LineProtocol = "sip"
	LineSCCP   LineProtocol = "sccp"
	LineCustom LineProtocol = "custom"
)

// Line is a confd line attached to a user (docs/wazo-protocol.md, Lines and registration).
type Line struct {
	ID       int
	Name     string
	Context  string
	Protocol LineProtocol // default LineSIP
	// WebRTC merges the "webrtc" endpoint template (docs/wazo-protocol.md, Lines and registration): the line gets
	// endpoint option ["webrtc","yes"] and is picked by Wazo.Phone.connect.
	WebRTC bool
	// Username/Password are the SIP digest credentials (auth section).
	Username     string
	Password     string
	EndpointUUID string
	Extensions   []Extension
}

// Extension is a line extension {exten, context}.
type Extension struct {
	ID      int
	Exten   string
	Context string
}

// User is a Wazo user known to wazo-auth and wazo-confd.
type User struct {
	UUID       string
	Username   string
	Password   string
	Firstname  string
	Lastname   string
	Email      string
	TenantUUID string
	// ACL overrides the default user policy (see DefaultUserACL).
	ACL []string
	// OnlineCallRecord is confd's online_call_record_enabled: the user may
	// start, stop, pause and resume the recording of their calls (calld
	// refuses with 403 recording-unauthorized otherwise).
	OnlineCallRecord bool
	Lines            []Line
	// Agent is the user's call-centre agent (confd user "agent"), nil for
	// a user who is not an agent. wazo-agentd finds it by user uuid
	// (wazo-agentd dao.py get_agent_by_user_uuid).
	Agent *Agent
}

// Agent is a confd agent: its id, its number (what queue_log and the
// supervisor see) and the queues it is a member of.
type Agent struct {
	ID     int
	Number string
	Queues []Queue
}

// Queue is a confd queue an agent belongs to.
type Queue struct {
	ID          int
	Name        string // Asterisk's queue name, e.g. "support"
	DisplayName string // label, e.g. "Support"
}

// DisplayName is "Firstname Lastname" (the SDK's SIP display name, docs/wazo-protocol.md, Lines and registration).
func (u User) DisplayName() string {
	return strings.TrimSpace(u.Firstname + " " + u.Lastname)
}

// DefaultUserACL is the policy given to users without an explicit ACL. It
// mirrors the default user policy of docs/wazo-protocol.md, Authentication plus the calld/auth routes a
// softphone uses; "me" is substituted with the token's user (docs/wazo-protocol.md, Authentication).
func DefaultUserACL() []string {
	return []string{
		"websocketd",
		"events.calls.me",
		"events.conferences.users.me.#",
		"events.transfers.me",
		"events.auth.users.me.#",
		"events.users.me.voicemails",
		"confd.users.me.read",
		"confd.users.me.#.read",
		"confd.infos.read",
		"calld.users.me.#",
		"auth.users.me.#",
		// wazo-agentd's user routes and its agent_* events (a default
		// user policy as the SDK's login returns it holds both).
		"agentd.users.me.#",
		"events.statuses.*",
		// wazo-dird and wazo-call-logd, as wazo-auth's default user policy
		// has them (wazo-auth wazo_auth/plugins/backends/xivo_user.py
		// DEFAULT_USER_ACLS; docs/wazo-protocol.md, wazo-dird).
		"dird.#.me.read",
		"dird.directories.favorites.#",
		"dird.directories.lookup.*.headers.read",
		"dird.directories.lookup.*.read",
		"dird.directories.personal.*.read",
		"dird.personal.#",
		"call-logd.users.me.cdr.read",
		// wazo-chatd presences and the dird wazo source that names the
		// colleagues, as wazo-auth's default user policy grants them
		// (docs/wazo-protocol.md, wazo-chatd).
		"chatd.users.presences.read",
		"chatd.users.*.presences.read",
		"chatd.users.me.presences.update",
		"events.chatd.users.*.presences.updated",
		"dird.directories.*.sources.read",
		"dird.backends.*.sources.*.contacts.read",
		// confd's DND service and its event (the same policy).
		"confd.users.me.services.*.*",
		"events.config.users.me.#",
	}
}

// Directory stores the users. All methods are safe for concurrent use and
// hand out copies, so a caller can never change a stored user.
type Directory struct {
	defaultTenant string

	mu         sync.Mutex
	users      map[string]*User // by uuid
	nextLineID int
}

// New makes an empty directory whose users default to defaultTenant.
func New(defaultTenant string) *Directory {
	return &Directory{defaultTenant: defaultTenant, users: map[string]*User{}}
}

// Add registers a user. Missing UUID, tenant, line ids, endpoint uuids
// and line usernames are generated; the stored user is returned.
func (s *Directory) Add(u User) (User, error) {
	if u.Username == "" || u.Password == "" {
		return User{}, ErrInvalidUser
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UUID == "" {
		u.UUID = uuid.NewString()
	}
	if _, ok := s.users[u.UUID]; ok {
		return User{}, fmt.Errorf("%w: uuid %s", ErrDuplicateUser, u.UUID)
	}
	for _, o := range s.users {
		if o.Username == u.Username {
			return User{}, fmt.Errorf("%w: username %s", ErrDuplicateUser, u.Username)
		}
	}
	if u.TenantUUID == "" {
		u.TenantUUID = s.defaultTenant
	}
	if u.ACL == nil {
		u.ACL = DefaultUserACL()
	}
	lines := make([]Line, len(u.Lines))
	for i, l := range u.Lines {
		if l.ID == 0 {
			s.nextLineID++
			l.ID = s.nextLineID
		}
		if l.Protocol == "" {
			l.Protocol = LineSIP
		}
		if l.Context == "" {
			l.Context = "default"
		}
		if l.EndpointUUID == "" {
			l.EndpointUUID = uuid.NewString()
		}
		if l.Username == "" {
			l.Username = fmt.Sprintf("line%d", l.ID)
		}
		if l.Name == "" {
			l.Name = l.Username
		}
		l.Extensions = append([]Extension(nil), l.Extensions...)
		for j := range l.Extensions {
			if l.Extensions[j].ID == 0 {
				s.nextLineID++
				l.Extensions[j].ID = s.nextLineID
			}
			if l.Extensions[j].Context == "" {
				l.Extensions[j].Context = l.Context
			}
		}
		lines[i] = l
	}
	u.Lines = lines
	u.ACL = append([]string(nil), u.ACL...)
	u.Agent = cloneAgent(u.Agent)
	stored := u
	s.users[u.UUID] = &stored
	return cloneUser(stored), nil
}

// User returns a copy of the user with that uuid.
func (s *Directory) User(userUUID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userUUID]
	if !ok {
		return User{}, false
	}
	return cloneUser(*u), true
}

// LineByUsername finds the user and SIP line whose digest username is
// given; the SIP registrar uses it to check REGISTER credentials (docs/wazo-protocol.md, Lines and registration).
func (s *Directory) LineByUsername(username string) (User, Line, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		for _, l := range u.Lines {
			if l.Protocol == LineSIP && l.Username == username {
				return cloneUser(*u), l, true
			}
		}
	}
	return User{}, Line{}, false
}

// ByUsername returns a copy of the user who logs in as name (wazo-auth's
// wazo_user backend).
func (s *Directory) ByUsername(name string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == name {
			return cloneUser(*u), true
		}
	}
	return User{}, false
}

// All returns copies of every user, sorted by username (wazo-dird's wazo
// backend lists them).
func (s *Directory) All() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, cloneUser(*u))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// ByAgentNumber returns a copy of the user whose agent has that number
// (a supervisor names agents by number: wazo-agentd /agents/by-number).
func (s *Directory) ByAgentNumber(number string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Agent != nil && u.Agent.Number == number {
			return cloneUser(*u), true
		}
	}
	return User{}, false
}

func cloneAgent(a *Agent) *Agent {
	if a == nil {
		return nil
	}
	c := *a
	c.Queues = append([]Queue(nil), a.Queues...)
	return &c
}

func cloneUser(u User) User {
	u.ACL = append([]string(nil), u.ACL...)
	u.Agent = cloneAgent(u.Agent)
	lines := make([]Line, len(u.Lines))
	for i, l := range u.Lines {
		l.Extensions = append([]Extension(nil), l.Extensions...)
		lines[i] = l
	}
	u.Lines = lines
	return u
}
