; Dockerfile highlights (nvim-treesitter / Helix capture names)

[
  "FROM" "AS" "RUN" "CMD" "LABEL" "MAINTAINER" "EXPOSE" "ENV" "ADD" "COPY"
  "ENTRYPOINT" "VOLUME" "USER" "WORKDIR" "ARG" "ONBUILD" "STOPSIGNAL"
  "HEALTHCHECK" "SHELL" "NONE"
] @keyword

(unknown_keyword) @keyword
(comment) @comment @spell
(line_continuation) @punctuation.special
