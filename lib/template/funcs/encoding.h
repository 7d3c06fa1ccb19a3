/*
 * encoding.h: Go's encoding/base64 decoder, shared by the encoding and
 * crypto families (Sprig's b64dec, decryptAES, buildCustomCert).
 */
#ifndef GITOPS_TMPL_FUNCS_ENCODING_H
#define GITOPS_TMPL_FUNCS_ENCODING_H

#include <stddef.h>
#include "lib/base/buf.h"

/*
 * base64.StdEncoding.DecodeString of the len bytes of s, appended to b:
 * 0; -1 with *bad the offset Go's CorruptInputError names (b holds what
 * was decoded before it); -2 when out of memory.
 */
int fn_go_base64_decode(struct gitops_buf *b, const char *s, size_t len, size_t *bad);

#endif
