package wazo

import (
	"context"
	"net/http"
	"net/url"
)

// SetDoNotDisturb turns the logged-in user's server-side do-not-disturb on
// or off (confd PUT /users/{uuid}/services/dnd {"enabled"}, ACL
// confd.users.me.services.dnd.update, 204; wazo-confd
// plugins/user/sub_resources/resource.py). While it is on Wazo rings none
// of the user's devices; chatd shows it to colleagues as do_not_disturb.
func (c *Client) SetDoNotDisturb(ctx context.Context, on bool) error {
	s, ok := c.Session()
	if !ok {
		return ErrNotLoggedIn
	}
	_, err := c.do(ctx, request{method: http.MethodPut, path: confdPrefix + "/users/" + url.PathEscape(s.UserUUID) + "/services/dnd",
		body: map[string]bool{"enabled": on}, auth: true})
	return err
}
