package wire

import "encoding/json"

// Message is one wazo-websocketd protocol v2 frame, in both directions:
// the client sends {op, data}, the server answers {op, code, data}
// (wazo-websocketd wazo_websocketd/protocol.py SessionProtocolEncoder and
// SessionProtocolDecoder; docs/wazo-protocol.md, Event websocket).
type Message struct {
	Op   string          `json:"op"`
	Code *int            `json:"code,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Websocketd operations (wazo-websocketd protocol.py).
const (
	OpInit      = "init"
	OpStart     = "start"
	OpSubscribe = "subscribe"
	OpToken     = "token"
	OpPing      = "ping"
	OpPong      = "pong"
	OpEvent     = "event"
)

// Websocketd close codes (wazo-websocketd wazo_websocketd/exception.py and
// session.py; docs/wazo-protocol.md, Event websocket).
const (
	CloseNoToken       = 4001
	CloseAuthFailed    = 4002
	CloseTokenExpired  = 4003
	CloseProtocolError = 4004
)
