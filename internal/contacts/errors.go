package contacts

import "errors"

// Sentinel errors; callers get them wrapped with a plain-language detail.
var (
	ErrNotFound      = errors.New("no such contact")
	ErrNoName        = errors.New("a contact needs a name")
	ErrInvalidNumber = errors.New("not a phone number")
	ErrTooLarge      = errors.New("the file is too large for a contacts file")
	ErrNotVCard      = errors.New("this is not a vCard file")
	ErrNoNameColumn  = errors.New("the CSV file has no name column")
	ErrNoPhoneColumn = errors.New("the CSV file has no phone column")
	ErrNoContacts    = errors.New("no contact could be read from the file")
	ErrUnknownFormat = errors.New("the file is neither a vCard nor a CSV file")
)
