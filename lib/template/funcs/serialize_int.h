/*
 * serialize_int.h: what the serialization family's files share (not for
 * other layers): Go's encoding/json over the engine's values (json.c-like
 * writer and reader in serialize.c), the YAML reader of fromYaml
 * (fromyaml.c) and BurntSushi/toml (toml.c).
 *
 * Values returned through `out` are one reference for the caller; inputs
 * are borrowed.  Messages are Go's own text, without any prefix.
 */
#ifndef GITOPS_TMPL_SERIALIZE_INT_H
#define GITOPS_TMPL_SERIALIZE_INT_H

#include "lib/template/funcs/funcs_int.h"

/* nesting of a document read or written (Go's encoding/json scanner's maxNestingDepth) */
#define SER_MAX_DEPTH 10000

/*
 * json.Unmarshal(text, &interface{}): 0 and *out (NULL for null), or -1
 * with Go's message in err (a syntax error, "unexpected end of JSON
 * input").  A number a float64 cannot hold reads as nil with *type_err set
 * (Go's UnmarshalTypeError, reported after the rest is read), when given.
 */
int ser_json_decode(struct gitops_tmpl_value **out, const char *s, size_t len, char **type_err,
		    struct gitops_err *err);
/* Go's strconv.FormatFloat(f, 'g', -1, bits) appended */
int ser_format_g(struct gitops_buf *b, double f, int bits);

/*
 * sigs.k8s.io/yaml's YAMLToJSON then json.Unmarshal into interface {}: the
 * first document of text, YAML 1.1 as go-yaml v2 reads it, as the values
 * the JSON round trip leaves (numbers float64, keys strings).  0 and *out
 * (NULL for null or no document), or -1 with Go's message
 * ("error converting YAML to JSON: yaml: line 1: ...").
 */
int ser_yaml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err);

/* BurntSushi/toml v1.4.0: Encoder.Encode (output appended) and Unmarshal into a map */
int ser_toml_encode(struct gitops_buf *b, const struct gitops_tmpl_value *v, struct gitops_err *err);
int ser_toml_decode(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err);

#endif
