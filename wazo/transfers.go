package wazo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Transfer flows (wazo-calld plugins/transfers/schemas.py): attended is
// the default.
const (
	TransferAttended = "attended"
	TransferBlind    = "blind"
)

// Transfer statuses (plugins/transfers/transfer.py TransferStatus; "ended"
// is what transfer_ended carries).
const (
	TransferStatusStarting         = "starting"
	TransferStatusReady            = "ready"
	TransferStatusRingback         = "ringback"
	TransferStatusAnswered         = "answered"
	TransferStatusBlindTransferred = "blind_transferred"
	TransferStatusAbandoned        = "abandoned"
	TransferStatusEnded            = "ended"
)

// Transfer is calld's Transfer object (transfer.py to_public_dict,
// docs/wazo-protocol.md, Transfers (calld)). TransferredCall is the
// other party's channel, InitiatorCall the user's, RecipientCall the
// channel calld dialled to the target (a call of the user's too).
type Transfer struct {
	ID                  string  `json:"id"`
	InitiatorUUID       string  `json:"initiator_uuid"`
	InitiatorTenantUUID string  `json:"initiator_tenant_uuid"`
	TransferredCall     string  `json:"transferred_call"`
	InitiatorCall       string  `json:"initiator_call"`
	RecipientCall       *string `json:"recipient_call"`
	Status              string  `json:"status"`
	Flow                string  `json:"flow"`
}

// TransferRequest is the POST /users/me/transfers body
// (schemas.py UserTransferRequestSchema).
type TransferRequest struct {
	InitiatorCall string `json:"initiator_call"`
	Exten         string `json:"exten"`
	Flow          string `json:"flow,omitempty"`    // TransferAttended (default) | TransferBlind
	Timeout       int    `json:"timeout,omitempty"` // seconds the recipient may ring; 0 = no limit
}

// CreateTransfer is POST /users/me/transfers (201 Transfer): calld dials
// exten from the user's call InitiatorCall; a blind transfer is completed
// at once (the user's channel is hung up). The SDK's calld.transferCall.
func (c *Client) CreateTransfer(ctx context.Context, r TransferRequest) (Transfer, error) {
	var t Transfer
	err := c.calld(ctx, http.MethodPost, "/transfers", nil, r, &t)
	return t, err
}

// CompleteTransfer is PUT /users/me/transfers/{id}/complete (204): the
// transferred party joins the recipient and the user's channel is hung
// up. The SDK's calld.confirmCallTransfer.
func (c *Client) CompleteTransfer(ctx context.Context, id string) error {
	return c.calld(ctx, http.MethodPut, "/transfers/"+url.PathEscape(id)+"/complete", nil, nil, nil)
}

// CancelTransfer is DELETE /users/me/transfers/{id} (204): the recipient
// is hung up and the user talks to the transferred party again. The SDK's
// calld.cancelCallTransfer.
func (c *Client) CancelTransfer(ctx context.Context, id string) error {
	return c.calld(ctx, http.MethodDelete, "/transfers/"+url.PathEscape(id), nil, nil, nil)
}

// Transfers is GET /users/me/transfers: the user's transfers in progress.
func (c *Client) Transfers(ctx context.Context) ([]Transfer, error) {
	var out struct {
		Items []Transfer `json:"items"`
	}
	err := c.calld(ctx, http.MethodGet, "/transfers", nil, nil, &out)
	return out.Items, err
}

// IsTransferEvent reports whether the event is one of calld's transfer_*
// events (transfer_created, _updated, _answered, _cancelled, _completed,
// _abandoned, _ended; wazo-bus resources/calls/event.py), whose data is a
// Transfer.
func (e Event) IsTransferEvent() bool {
	switch strings.TrimPrefix(e.Name, "transfer_") {
	case "created", "updated", "answered", "cancelled", "completed", "abandoned", "ended":
		return strings.HasPrefix(e.Name, "transfer_")
	}
	return false
}

// Transfer decodes the Transfer of a transfer_* event.
func (e Event) Transfer() (Transfer, error) {
	var t Transfer
	if err := json.Unmarshal(e.Data, &t); err != nil {
		return Transfer{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, e.Name, err)
	}
	if t.ID == "" {
		return Transfer{}, fmt.Errorf("%w: %s without an id", ErrBadResponse, e.Name)
	}
	return t, nil
}
