package scraper

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// htmlToUTF8 returns an HTML body as UTF-8, decoded by what tells its
// encoding, in HTML's order: a byte-order mark, the Content-Type header's
// charset, then a <meta charset> or http-equiv in the first 1024 bytes. A
// body that names no encoding and is valid UTF-8 is returned as it is.
func htmlToUTF8(body []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" || (!certain && utf8.Valid(body)) {
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return body
	}
	return out
}
