package callmodel

// ChannelHooks is implemented by the SIP/B2BUA side. The call model calls
// these after it changed its own state and released its lock, so an
// implementation may call back into the model. They run synchronously in
// the goroutine of whoever triggered the change (a calld HTTP request or a
// Model method), in the order the changes happened.
type ChannelHooks interface {
	// HangupChannel: the stack hung this channel up on its own (calld
	// DELETE /users/me/calls/{id}, an ad-hoc conference discarding the
	// host's leg or removing a participant, the peer of a two-party bridge
	// hanging up). The model already reports the channel as ended; the SIP
	// side must end the leg: BYE when answered, CANCEL for an unanswered
	// INVITE it sent, a final error response to a ringing INVITE (docs/wazo-protocol.md, Ad-hoc conferences,
	// docs/wazo-protocol.md, Lines and registration). It is not called for the channel passed to Model.Hangup.
	HangupChannel(call Call, cause int)
	// AnswerChannel: calld PUT …/answer (the model already set it Up).
	AnswerChannel(call Call)
	// HoldChannel: calld PUT …/hold/start|stop (model already updated).
	HoldChannel(call Call, hold bool)
	// SendDTMF: calld PUT …/dtmf?digits=.
	SendDTMF(call Call, digits string)
}

// HookFuncs adapts functions to ChannelHooks; nil fields are no-ops.
type HookFuncs struct {
	OnHangup func(call Call, cause int)
	OnAnswer func(call Call)
	OnHold   func(call Call, hold bool)
	OnDTMF   func(call Call, digits string)
}

// HangupChannel implements ChannelHooks.
func (h HookFuncs) HangupChannel(c Call, cause int) {
	if h.OnHangup != nil {
		h.OnHangup(c, cause)
	}
}

// AnswerChannel implements ChannelHooks.
func (h HookFuncs) AnswerChannel(c Call) {
	if h.OnAnswer != nil {
		h.OnAnswer(c)
	}
}

// HoldChannel implements ChannelHooks.
func (h HookFuncs) HoldChannel(c Call, hold bool) {
	if h.OnHold != nil {
		h.OnHold(c, hold)
	}
}

// SendDTMF implements ChannelHooks.
func (h HookFuncs) SendDTMF(c Call, digits string) {
	if h.OnDTMF != nil {
		h.OnDTMF(c, digits)
	}
}
