; Dockerfile highlights. Capture names follow nvim-treesitter; Helix shares most of them.

[
  "FROM"
  "AS"
  "RUN"
  "CMD"
  "LABEL"
  "MAINTAINER"
  "EXPOSE"
  "ENV"
  "ADD"
  "COPY"
  "ENTRYPOINT"
  "VOLUME"
  "USER"
  "WORKDIR"
  "ARG"
  "ONBUILD"
  "STOPSIGNAL"
  "HEALTHCHECK"
  "SHELL"
  "NONE"
] @keyword

(unknown_keyword) @keyword

(comment) @comment @spell

(directive
  "#" @keyword.directive
  name: (directive_name) @keyword.directive
  "=" @operator
  value: (directive_value) @string.special)

(line_continuation) @punctuation.special

; Flags: --name=value, --mount=key=value,key=value
(flag
  "--" @attribute
  name: (flag_name) @attribute)

(flag
  "=" @operator)

(flag_value) @string

(flag_option
  key: (option_key) @variable.parameter)

(flag_option
  "=" @operator)

(flag_value
  "," @punctuation.delimiter)

(option_value) @string

; Images and stages
(image_registry) @string.special.url

(image_name) @string.special

(image_tag) @string.special

(image_digest) @string.special

(image_spec
  [
    "/"
    ":"
    "@"
  ] @punctuation.delimiter)

(image_alias) @label

; Variables and values
(env_pair
  name: (variable) @variable)

(arg_definition
  name: (variable) @variable)

[
  (env_pair
    "=" @operator)
  (label_pair
    "=" @operator)
  (arg_definition
    "=" @operator)
]

(label_key) @property

(value) @string

(path) @string.special.path

(expose_port) @number

(user_instruction
  ":" @punctuation.delimiter)

(double_quoted_string) @string

(single_quoted_string) @string

(expansion
  [
    "$"
    "{"
    "}"
  ] @punctuation.special)

(expansion
  (variable) @variable)

(expansion_operator) @operator

; JSON (exec) form
(json_string) @string

(json_escape_sequence) @string.escape

(json_string_array
  [
    "["
    "]"
  ] @punctuation.bracket)

(json_string_array
  "," @punctuation.delimiter)

; Heredocs
[
  (heredoc_start)
  (heredoc_end)
] @label

(heredoc_body) @string
