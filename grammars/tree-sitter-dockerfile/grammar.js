/**
 * Tree-sitter grammar for Dockerfiles, following BuildKit's reading of the text.
 *
 * Line structure, the escape character, comments inside continued instructions,
 * instruction keywords, heredocs, JSON-form detection and shell-form text are lexed
 * by the external scanner (src/scanner.c); see README.md for the node kinds.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const INSTRUCTIONS = [
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY',
  'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL',
  'HEALTHCHECK', 'SHELL',
];

// Characters that never belong to an unquoted text fragment: whitespace, the two
// possible escape characters, `$` (expansions) and quotes.
const SPECIAL = '\\s\\\\`$"\'';

/**
 * A run of plain characters (minus `stop`) and escaped pairs such as `\$` (an escaped
 * space is a separate token, so that `\ ` before a line end stays a line continuation).
 */
function fragment(stop) {
  return repeat1(choice(new RegExp(`[^${SPECIAL}${stop}]`), /[\\`][^\s]/));
}

/**
 * Token for a fragment; `immediate` when it must touch the previous token. A fragment that
 * follows whitespace never starts with `=`, so that `--flag=x`, `key=value` and `k v` forms
 * are told apart by the immediate `=` token.
 */
function frag(stop, immediate) {
  if (immediate) return token.immediate(fragment(stop));
  return token(seq(
    choice(new RegExp(`[^${SPECIAL}=${stop}]`), /[\\`][^\s]/),
    optional(fragment(stop)),
  ));
}

/**
 * Words that BuildKit splits on whitespace only (COPY/ADD/VOLUME sources, EXPOSE ports,
 * stage names): quotes are ordinary characters there, only expansions are pieces.
 */
function plainWordRules(name) {
  const chars = /[^\s\\`$]/;
  const pair = /[\\`][^\s]/;
  return {
    [`_${name}_frag`]: _ => token(seq(choice(/[^\s\\`$=]/, pair), repeat(choice(chars, pair)))),
    [`_${name}_imm_frag`]: _ => token.immediate(repeat1(choice(chars, pair))),
    [`_${name}_word`]: $ => seq(
      choice($[`_${name}_frag`], $._lone_escape, $._lone_dollar, $.expansion),
      repeat(choice(
        $[`_${name}_imm_frag`],
        $._imm_lone_escape,
        $._imm_lone_dollar,
        alias($._imm_expansion, $.expansion),
      )),
    ),
  };
}

/**
 * One piece of a word: text, escaped character, lone `$`, expansion or quoted string.
 * `name` selects the hidden rule family generated in `wordRules`.
 */
function wordRules(name, stop) {
  return {
    [`_${name}_frag`]: _ => frag(stop, false),
    [`_${name}_imm_frag`]: _ => frag(stop, true),
    [`_${name}_piece`]: $ => choice(
      $[`_${name}_frag`],
      $._lone_escape,
      $._lone_dollar,
      $.expansion,
      $.double_quoted_string,
      $.single_quoted_string,
    ),
    [`_${name}_imm_piece`]: $ => choice(
      $[`_${name}_imm_frag`],
      $._imm_lone_escape,
      $._imm_lone_dollar,
      alias($._imm_expansion, $.expansion),
      alias($._imm_double_quoted_string, $.double_quoted_string),
      alias($._imm_single_quoted_string, $.single_quoted_string),
    ),
    // a shell word: pieces with no whitespace between them
    [`_${name}_word`]: $ => seq($[`_${name}_piece`], repeat($[`_${name}_imm_piece`])),
    // a word that must touch the previous token (after `=`, `:`, `,`)
    [`_${name}_imm_word`]: $ => repeat1($[`_${name}_imm_piece`]),
  };
}

module.exports = grammar({
  name: 'dockerfile',

  externals: $ => [
    $._newline,
    $._eof,
    $._heredoc_nl,
    $.line_continuation,
    $.comment,
    $._continuation_nl,
    $._directive_hash,
    $.directive_name,
    $._directive_eq,
    $.directive_value,
    $.heredoc_start,
    $.heredoc_body,
    $.heredoc_end,
    $.shell_fragment,
    $._flag_start,
    $._json_start,
    $._shell_form,
    $.image_registry,
    $._dollar,
    $._imm_dollar,
    ...INSTRUCTIONS.map(k => $[`_kw_${k.toLowerCase()}`]),
    $._kw_as,
    $._kw_none,
    $.unknown_keyword,
    $._error_sentinel,
  ],

  extras: $ => [
    /[ \t\r\f\v\uFEFF]/,
    $.line_continuation,
    $.comment,
    $._continuation_nl,
  ],

  // Helper rules that should not cost a node of their own.
  inline: $ => [
    $._instruction,
    $._line,
    $._line_end,
    $._paths,
    $._expansion_body,
    $._path_word,
    $._key_word,
    $._value_word,
    $._value_piece,
    $._value_imm_piece,
    $._key_piece,
    $._key_imm_piece,
    $._user_piece,
    $._user_imm_piece,
    $._option_piece,
    $._option_imm_piece,
  ],

  rules: {
    // The visible tree is flat: directives, comments and instructions are children of
    // `source_file`. Internally each line with its line end is one hidden `_item`, and the
    // lines from one FROM to the next form a hidden `_stage`: both are reused as wholes by
    // incremental re-parses (tree-sitter never reuses the nodes of a `repeat` as a whole).
    //
    // After a `_stage`, items are also valid (though a stage always takes them, by
    // `prec.right`): so the FROM of the next stage is lexed in the same lex mode whether the
    // previous stage was just reduced or not, and a whole `_stage` can be reused.
    source_file: $ => repeat(choice($._stage, $._item)),

    _stage: $ => prec.right(seq($.from_instruction, $._line_end, optional($._lines))),

    _lines: $ => prec.right(seq($._item, repeat($._item))),

    _item: $ => choice(seq($._line, $._line_end), $._newline),

    // `_eof` is an empty token at the end of a file without a final newline.
    _line_end: $ => choice($._newline, $._eof),

    _line: $ => choice($.directive, $._instruction),

    directive: $ => seq(
      alias($._directive_hash, '#'),
      field('name', $.directive_name),
      alias($._directive_eq, '='),
      field('value', $.directive_value),
    ),

    // Instructions other than FROM; FROM starts a `_stage` (and may follow ONBUILD).
    _instruction: $ => choice(
      $.run_instruction,
      $.cmd_instruction,
      $.label_instruction,
      $.maintainer_instruction,
      $.expose_instruction,
      $.env_instruction,
      $.add_instruction,
      $.copy_instruction,
      $.entrypoint_instruction,
      $.volume_instruction,
      $.user_instruction,
      $.workdir_instruction,
      $.arg_instruction,
      $.onbuild_instruction,
      $.stopsignal_instruction,
      $.healthcheck_instruction,
      $.shell_instruction,
      $.unknown_instruction,
    ),

    // ---------------------------------------------------------------- instructions

    from_instruction: $ => seq(
      alias($._kw_from, 'FROM'),
      repeat($.flag),
      field('image', $.image_spec),
      optional(seq(alias($._kw_as, 'AS'), field('name', $.image_alias))),
    ),

    run_instruction: $ => seq(
      alias($._kw_run, 'RUN'),
      repeat($.flag),
      optional(choice($.json_string_array, $.shell_command)),
      repeat($._heredoc),
    ),

    cmd_instruction: $ => seq(
      alias($._kw_cmd, 'CMD'),
      repeat($.flag),
      optional(choice($.json_string_array, alias($._plain_shell_command, $.shell_command))),
    ),

    entrypoint_instruction: $ => seq(
      alias($._kw_entrypoint, 'ENTRYPOINT'),
      repeat($.flag),
      optional(choice($.json_string_array, alias($._plain_shell_command, $.shell_command))),
    ),

    shell_instruction: $ => seq(
      alias($._kw_shell, 'SHELL'),
      repeat($.flag),
      optional(choice($.json_string_array, alias($._plain_shell_command, $.shell_command))),
    ),

    label_instruction: $ => seq(
      alias($._kw_label, 'LABEL'),
      repeat($.flag),
      optional(choice(
        repeat1($.label_pair),
        alias($._label_legacy_pair, $.label_pair),
      )),
    ),

    label_pair: $ => seq(
      field('key', $.label_key),
      token.immediate('='),
      optional(field('value', alias($._value_imm_word, $.value))),
    ),

    _label_legacy_pair: $ => seq(
      field('key', $.label_key),
      field('value', alias($._rest_of_line, $.value)),
    ),

    label_key: $ => $._key_word,

    maintainer_instruction: $ => seq(
      alias($._kw_maintainer, 'MAINTAINER'),
      repeat($.flag),
      optional(field('name', alias($._raw_text, $.value))),
    ),

    expose_instruction: $ => seq(
      alias($._kw_expose, 'EXPOSE'),
      repeat($.flag),
      repeat($.expose_port),
    ),

    expose_port: $ => $._path_word,

    env_instruction: $ => seq(
      alias($._kw_env, 'ENV'),
      repeat($.flag),
      optional(choice(
        repeat1($.env_pair),
        alias($._env_legacy_pair, $.env_pair),
      )),
    ),

    env_pair: $ => seq(
      field('name', alias($._env_name, $.variable)),
      token.immediate('='),
      optional(field('value', alias($._value_imm_word, $.value))),
    ),

    _env_legacy_pair: $ => seq(
      field('name', alias($._env_name, $.variable)),
      field('value', alias($._rest_of_line, $.value)),
    ),

    _env_name: _ => /[^\s=\\`$"']+/,

    add_instruction: $ => seq(
      alias($._kw_add, 'ADD'),
      repeat($.flag),
      optional(choice($.json_string_array, $._paths)),
      repeat($._heredoc),
    ),

    copy_instruction: $ => seq(
      alias($._kw_copy, 'COPY'),
      repeat($.flag),
      optional(choice($.json_string_array, $._paths)),
      repeat($._heredoc),
    ),

    _paths: $ => repeat1(choice($.path, $.heredoc_start)),

    path: $ => $._path_word,

    volume_instruction: $ => seq(
      alias($._kw_volume, 'VOLUME'),
      repeat($.flag),
      optional(choice($.json_string_array, repeat1($.path))),
    ),

    user_instruction: $ => seq(
      alias($._kw_user, 'USER'),
      repeat($.flag),
      // BuildKit reads the rest of the line; `user:group` is split at the first `:`.
      optional(seq(
        field('user', alias($._user_rest, $.value)),
        optional(seq(
          token.immediate(':'),
          optional(field('group', alias($._rest_of_line_imm, $.value))),
        )),
      )),
    ),

    workdir_instruction: $ => seq(
      alias($._kw_workdir, 'WORKDIR'),
      repeat($.flag),
      optional(field('path', alias($._rest_of_line, $.path))),
    ),

    arg_instruction: $ => seq(
      alias($._kw_arg, 'ARG'),
      repeat($.flag),
      repeat($.arg_definition),
    ),

    arg_definition: $ => seq(
      field('name', alias($._env_name, $.variable)),
      optional(seq(
        token.immediate('='),
        optional(field('default', alias($._value_imm_word, $.value))),
      )),
    ),

    onbuild_instruction: $ => seq(
      alias($._kw_onbuild, 'ONBUILD'),
      field('instruction', choice($._instruction, $.from_instruction)),
    ),

    stopsignal_instruction: $ => seq(
      alias($._kw_stopsignal, 'STOPSIGNAL'),
      repeat($.flag),
      optional(field('signal', alias($._value_word, $.value))),
    ),

    healthcheck_instruction: $ => seq(
      alias($._kw_healthcheck, 'HEALTHCHECK'),
      repeat($.flag),
      optional(choice(
        alias($._kw_none, 'NONE'),
        field('cmd', $.cmd_instruction),
        seq(field('type', $.unknown_keyword), optional(field('arguments', alias($._raw_text, $.value)))),
      )),
    ),

    unknown_instruction: $ => seq(
      field('name', $.unknown_keyword),
      optional(field('arguments', alias($._raw_text, $.value))),
    ),

    // ---------------------------------------------------------------- shell form

    // `_shell_form` is an empty token before shell-form text that starts with `[` but is
    // not a JSON array of strings (BuildKit then reads the shell form).
    shell_command: $ => seq(
      optional($._shell_form),
      repeat1(choice($.shell_fragment, $.heredoc_start)),
    ),

    _plain_shell_command: $ => seq(optional($._shell_form), repeat1($.shell_fragment)),

    _raw_text: $ => repeat1($.shell_fragment),

    _heredoc: $ => seq(
      $._heredoc_nl,
      optional($.heredoc_body),
      $.heredoc_end,
    ),

    // ---------------------------------------------------------------- JSON form

    // `_json_start` is an empty token: the scanner has checked that the rest of the line is a
    // JSON array of strings, as BuildKit requires for the exec form.
    json_string_array: $ => seq(
      $._json_start,
      '[',
      optional(seq($.json_string, repeat(seq(',', $.json_string)))),
      ']',
    ),

    json_string: $ => seq(
      '"',
      repeat(choice(
        token.immediate(prec(1, /[^"\\\r\n]+/)),
        $.json_escape_sequence,
      )),
      token.immediate('"'),
    ),

    json_escape_sequence: _ => token.immediate(/\\(["\\\/bfnrt]|u[0-9a-fA-F]{4})/),

    // ---------------------------------------------------------------- flags

    flag: $ => seq(
      alias($._flag_start, '--'),
      choice(
        seq(
          field('name', alias(token.immediate('mount'), $.flag_name)),
          token.immediate('='),
          field('value', alias($._flag_options, $.flag_value)),
        ),
        seq(
          field('name', $.flag_name),
          optional(seq(
            token.immediate('='),
            optional(field('value', alias($._value_imm_word, $.flag_value))),
          )),
        ),
      ),
    ),

    flag_name: _ => token.immediate(/[^\s=\\`$"']+/),

    _flag_options: $ => seq($.flag_option, repeat(seq(token.immediate(','), $.flag_option))),

    flag_option: $ => seq(
      field('key', $.option_key),
      optional(seq(
        token.immediate('='),
        optional(field('value', $.option_value)),
      )),
    ),

    option_key: _ => token.immediate(/[^\s=,\\`$"']+/),

    option_value: $ => $._option_imm_word,

    // ---------------------------------------------------------------- images

    image_spec: $ => seq(
      optional(seq(field('registry', $.image_registry), token.immediate('/'))),
      field('name', $.image_name),
      optional(seq(token.immediate(':'), field('tag', $.image_tag))),
      optional(seq(token.immediate('@'), field('digest', $.image_digest))),
    ),

    image_name: $ => seq(
      choice($._image_name_frag, $.expansion),
      repeat(choice($._image_name_imm_frag, alias($._imm_expansion, $.expansion))),
    ),
    _image_name_frag: _ => frag(':@', false),
    _image_name_imm_frag: _ => frag(':@', true),

    image_tag: $ => repeat1(choice($._image_tag_imm_frag, alias($._imm_expansion, $.expansion))),
    _image_tag_imm_frag: _ => frag('@', true),

    image_digest: $ => repeat1(choice($._image_digest_imm_frag, alias($._imm_expansion, $.expansion))),
    _image_digest_imm_frag: _ => frag('', true),

    image_alias: $ => $._path_word,

    // ---------------------------------------------------------------- words

    ...wordRules('value', ''),
    ...wordRules('key', '='),
    ...wordRules('user', ':'),
    ...wordRules('option', ','),
    ...plainWordRules('path'),

    _rest_of_line: $ => seq($._value_piece, repeat(choice($._value_piece, $._value_imm_piece))),
    _rest_of_line_imm: $ => seq($._value_imm_piece, repeat(choice($._value_piece, $._value_imm_piece))),
    _user_rest: $ => seq($._user_piece, repeat(choice($._user_piece, $._user_imm_piece))),

    _lone_escape: _ => /[\\`][^\r\n]?/,
    _imm_lone_escape: _ => token.immediate(/[\\`][^\r\n]?/),
    _lone_dollar: _ => '$',
    _imm_lone_dollar: _ => token.immediate('$'),

    // BuildKit's parser accepts an unterminated quote (the word runs to the end of the
    // line); the closing quote is optional so that such lines stay free of errors.
    double_quoted_string: $ => prec.right(seq('"', optional($._dq_content), optional(token.immediate('"')))),
    _imm_double_quoted_string: $ => prec.right(seq(
      token.immediate('"'),
      optional($._dq_content),
      optional(token.immediate('"')),
    )),
    _dq_content: $ => repeat1(choice(
      token.immediate(prec(1, /[^"\\`$\r\n]+/)),
      token.immediate(/[\\`][^\r\n]?/),
      $._imm_lone_dollar,
      alias($._imm_expansion, $.expansion),
      $.expansion,
    )),

    single_quoted_string: $ => prec.right(seq('\'', optional($._sq_content), optional(token.immediate('\'')))),
    _imm_single_quoted_string: $ => prec.right(seq(
      token.immediate('\''),
      optional($._sq_content),
      optional(token.immediate('\'')),
    )),
    _sq_content: _ => repeat1(choice(
      token.immediate(prec(1, /[^'\\`\r\n]+/)),
      token.immediate(/[\\`]/),
    )),

    // ---------------------------------------------------------------- expansions

    expansion: $ => seq(alias($._dollar, '$'), $._expansion_body),
    _imm_expansion: $ => seq(alias($._imm_dollar, '$'), $._expansion_body),

    _expansion_body: $ => choice(
      field('name', alias(token.immediate(/[a-zA-Z_][a-zA-Z0-9_]*/), $.variable)),
      seq(
        token.immediate('{'),
        field('name', alias(token.immediate(/[a-zA-Z_][a-zA-Z0-9_]*/), $.variable)),
        optional(seq(
          field('operator', alias(
            token.immediate(choice(':-', ':+', ':?', '-', '+', '?', '#', '##', '%', '%%', '/', '//')),
            $.expansion_operator,
          )),
          optional(field('argument', $.expansion_argument)),
        )),
        '}',
      ),
    ),

    expansion_argument: $ => repeat1(choice(
      $._brace_frag,
      $._lone_escape,
      $._lone_dollar,
      $.expansion,
      alias($._imm_expansion, $.expansion),
      $.double_quoted_string,
      $.single_quoted_string,
    )),
    _brace_frag: _ => token(prec(1, fragment('}'))),
  },
});
