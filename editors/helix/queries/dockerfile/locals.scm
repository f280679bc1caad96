; The whole file is one scope: ARG and ENV define variables, `$VAR`/`${VAR}` refer to
; them, `FROM … AS name` defines a stage that `--from=name` refers to.
(source_file) @local.scope

(env_pair
  name: (variable) @local.definition.var)

(arg_definition
  name: (variable) @local.definition.var)

(expansion
  (variable) @local.reference)

(from_instruction
  name: (image_alias) @local.definition.type)

((flag
  name: (flag_name) @_name
  value: (flag_value) @local.reference)
  (#eq? @_name "from"))
