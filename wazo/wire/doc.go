// Package wire holds the Wazo Platform wire types shared by Parley's client
// (package wazo) and the stand-in platform (internal/wazostandin), so both
// ends agree on one definition. Fields the platform may send as JSON null
// are pointers, so a null survives a decode/encode round trip.
package wire
