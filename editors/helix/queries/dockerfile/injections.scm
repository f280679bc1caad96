; Shell-form commands are shell scripts.
((shell_command) @injection.content
  (#set! injection.language "bash")
  (#set! injection.include-children))

; The heredoc bodies of RUN are scripts too (COPY/ADD heredocs are file contents).
((run_instruction
  (heredoc_body) @injection.content)
  (#set! injection.language "bash"))

((comment) @injection.content
  (#set! injection.language "comment"))
