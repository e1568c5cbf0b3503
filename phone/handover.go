package phone

import "fmt"

// HandOver tells the engine that the server is about to take call id away
// to transfer it to `to` itself: a server-side transfer (wazo-calld's
// transfers API, docs/wazo-protocol.md, Transfers (calld)) ends the
// initiator's leg with its own BYE. The call then ends as transferred
// (EventCallTransferred, then EventCallEnded "the call was transferred to
// …"), not as hung up by the other party. Call undo when the server
// refused the transfer.
func (p *Phone) HandOver(id, to string) (undo func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.lookup(id)
	if err != nil {
		return nil, err
	}
	if c.dialog == nil {
		return nil, fmt.Errorf("%w: only an established call can be transferred", ErrWrongState)
	}
	c.handedTo = to
	return func() {
		p.mu.Lock()
		c.handedTo = ""
		p.mu.Unlock()
	}, nil
}
