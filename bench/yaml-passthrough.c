/*
 * yaml-passthrough: the floor for any filter built on libyaml.
 *
 * Reads a YAML stream on stdin with libyaml's parser and hands every event,
 * as it comes, to libyaml's emitter writing stdout (indent 2, unicode on,
 * unlimited width).  No tree, no checks, no copies: event in, event out.
 *
 *   cc -O2 -o yaml-passthrough yaml-passthrough.c $(pkg-config --cflags --libs yaml-0.1)
 */
#include <stdio.h>
#include <yaml.h>

int main(void)
{
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	yaml_event_t event;
	int done = 0, status = 0;

	if (!yaml_parser_initialize(&parser) || !yaml_emitter_initialize(&emitter)) {
		fputs("yaml-passthrough: out of memory\n", stderr);
		return 2;
	}
	yaml_parser_set_input_file(&parser, stdin);
	yaml_emitter_set_output_file(&emitter, stdout);
	yaml_emitter_set_indent(&emitter, 2);
	yaml_emitter_set_unicode(&emitter, 1);
	yaml_emitter_set_width(&emitter, -1);

	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "yaml-passthrough: parse error: %s at line %lu\n",
				parser.problem ? parser.problem : "?",
				(unsigned long)parser.problem_mark.line + 1);
			status = 1;
			break;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		/* the emitter takes the event, and frees it even when it fails */
		if (!yaml_emitter_emit(&emitter, &event)) {
			fprintf(stderr, "yaml-passthrough: emit error: %s\n",
				emitter.problem ? emitter.problem : "?");
			status = 1;
			break;
		}
	}
	if (!status && fflush(stdout) != 0) {
		perror("yaml-passthrough: stdout");
		status = 1;
	}
	yaml_emitter_delete(&emitter);
	yaml_parser_delete(&parser);
	return status;
}
