//! From a `tree-sitter-bash` tree to a [`Script`]: its simple commands, pipelines and
//! conditions, with spans relative to the parsed text.
//!
//! The walk compares node kinds by id, through a table built once from the grammar's kind
//! names: `Node::kind` looks the name up and validates it as UTF-8 on every call.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter::Node;

use super::{Command, Pipeline, Resolved, Script, ShellWord};
use crate::model::Span;

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Parse a shell script; spans relative to `src`.
pub fn parse_script(src: &str) -> Script {
    super::simple::parse(src).unwrap_or_else(|| parse_with_tree_sitter(src))
}

/// [`parse_script`] with tree-sitter-bash, whatever the script.
pub(super) fn parse_with_tree_sitter(src: &str) -> Script {
    let tree = PARSER.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            let mut parser = tree_sitter::Parser::new();
            if parser.set_language(&grammar().language).is_err() {
                return None;
            }
            *p = Some(parser);
        }
        p.as_mut().and_then(|parser| parser.parse(src, None))
    });
    let mut script = Script::default();
    let Some(tree) = tree else {
        return script;
    };
    let root = tree.root_node();
    script.has_error = root.has_error();
    let mut walker = Walker {
        src,
        g: grammar(),
        script: &mut script,
        cond_depth: 0,
        depth: 0,
    };
    walker.visit(root, None, false);
    script
}

/// The node kinds the walk tells apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum K {
    Other,
    Command,
    RedirectedStatement,
    HeredocRedirect,
    HeredocBody,
    Pipeline,
    Pipe,
    IfStatement,
    WhileStatement,
    ElifClause,
    List,
    NegatedCommand,
    Or,
    ThenOrDo,
    Substitution,
    VariableAssignment,
    Word,
    RawString,
    String,
    DoubleQuote,
    StringContent,
    Concatenation,
    CommandName,
}

fn kind_named(name: &str) -> K {
    match name {
        "command" => K::Command,
        "redirected_statement" => K::RedirectedStatement,
        "heredoc_redirect" => K::HeredocRedirect,
        "heredoc_body" | "heredoc_content" => K::HeredocBody,
        "pipeline" => K::Pipeline,
        "|" | "|&" => K::Pipe,
        "if_statement" => K::IfStatement,
        "while_statement" => K::WhileStatement,
        "elif_clause" => K::ElifClause,
        "list" => K::List,
        "negated_command" => K::NegatedCommand,
        "||" => K::Or,
        "then" | "do" => K::ThenOrDo,
        "command_substitution" | "process_substitution" => K::Substitution,
        "variable_assignment" => K::VariableAssignment,
        "word" | "number" => K::Word,
        "raw_string" => K::RawString,
        "string" => K::String,
        "\"" => K::DoubleQuote,
        "string_content" => K::StringContent,
        "concatenation" => K::Concatenation,
        "command_name" => K::CommandName,
        _ => K::Other,
    }
}

/// The bash grammar with its kind table.
struct Grammar {
    language: tree_sitter::Language,
    /// Kind id → kind: every id of a name (aliases share names) maps alike.
    kinds: Vec<K>,
}

fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .map_or(K::Other, kind_named)
            })
            .collect();
        Grammar { kinds, language }
    })
}

impl Grammar {
    fn kind(&self, node: Node) -> K {
        self.kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(K::Other)
    }
}

/// The children of a node, in order. (Indexing is cheaper here than a `TreeCursor`, which
/// allocates: the nodes of a command have few children.)
fn children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    (0..node.child_count()).filter_map(move |i| node.child(i))
}

struct Walker<'s> {
    src: &'s str,
    g: &'static Grammar,
    script: &'s mut Script,
    /// Nesting depth of condition contexts.
    cond_depth: usize,
    /// Nesting depth of the recursive walk (see [`MAX_WALK_DEPTH`]).
    depth: usize,
}

/// Deepest syntax-tree nesting the walk descends into: it recurses once per level, so a
/// hostile script (`$(` nested thousands deep) must not exhaust the stack. Deeper parts
/// are skipped and the script is marked as having an error (results partial).
const MAX_WALK_DEPTH: usize = 256;

fn span_of(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

impl Walker<'_> {
    /// Enter one level of nesting; false (and the script marked partial) when too deep.
    fn enter(&mut self) -> bool {
        if self.depth >= MAX_WALK_DEPTH {
            self.script.has_error = true;
            return false;
        }
        self.depth += 1;
        true
    }

    fn visit(&mut self, node: Node, pipeline: Option<usize>, subst: bool) {
        if self.enter() {
            self.visit_node(node, pipeline, subst);
            self.depth -= 1;
        }
    }

    fn visit_children(&mut self, node: Node, pipeline: Option<usize>, subst: bool) {
        for c in children(node) {
            self.visit(c, pipeline, subst);
        }
    }

    fn has_child(&self, node: Node, kind: K) -> bool {
        children(node).any(|c| self.g.kind(c) == kind)
    }

    fn visit_node(&mut self, node: Node, pipeline: Option<usize>, subst: bool) {
        let g = self.g;
        match g.kind(node) {
            K::Command => self.command(node, pipeline, subst, false),
            K::RedirectedStatement => self.redirected(node, pipeline, subst),
            K::HeredocBody => {}
            K::Pipeline => {
                let id = self.script.pipelines.len();
                self.script.pipelines.push(Pipeline {
                    span: span_of(node),
                    condition: self.cond_depth > 0,
                    pipes: Vec::new(),
                    commands: Vec::new(),
                });
                for c in children(node) {
                    if g.kind(c) == K::Pipe {
                        if let Some(p) = self.script.pipelines.get_mut(id) {
                            p.pipes.push(span_of(c));
                        }
                    } else {
                        self.visit(c, Some(id), subst);
                    }
                }
            }
            kind @ (K::IfStatement
            | K::WhileStatement
            | K::ElifClause
            | K::List
            | K::NegatedCommand) => {
                let is_or = kind == K::List && self.has_child(node, K::Or);
                let mut before_then = true;
                let mut first_named = true;
                for (i, c) in children(node).enumerate() {
                    if g.kind(c) == K::ThenOrDo {
                        before_then = false;
                    }
                    // Which children are tested for their status.
                    let cond = match kind {
                        K::IfStatement | K::WhileStatement => {
                            node.field_name_for_child(i as u32) == Some("condition")
                        }
                        K::ElifClause => before_then && c.is_named(),
                        K::List => is_or && c.is_named() && first_named,
                        _ => true,
                    };
                    if c.is_named() {
                        first_named = false;
                    }
                    self.cond_depth += usize::from(cond);
                    self.visit(c, pipeline, subst);
                    self.cond_depth -= usize::from(cond);
                }
            }
            K::Substitution => self.visit_children(node, None, true),
            _ => self.visit_children(node, pipeline, subst),
        }
    }

    /// `cmd <<EOF …`: a command whose standard input is a heredoc.
    fn redirected(&mut self, node: Node, pipeline: Option<usize>, subst: bool) {
        let body = node
            .child_by_field_name("body")
            .filter(|b| self.g.kind(*b) == K::Command && self.has_child(node, K::HeredocRedirect));
        let Some(body) = body else {
            self.visit_children(node, pipeline, subst);
            return;
        };
        self.command(body, pipeline, subst, true);
        for c in children(node) {
            if c.id() != body.id() {
                self.visit(c, pipeline, subst);
            }
        }
    }

    fn command(&mut self, node: Node, pipeline: Option<usize>, subst: bool, heredoc_input: bool) {
        let mut name: Option<ShellWord> = None;
        let mut args = Vec::new();
        let mut assignments = Vec::new();
        for (i, child) in children(node).enumerate() {
            if self.g.kind(child) == K::VariableAssignment {
                let n = child
                    .child_by_field_name("name")
                    .map(|n| self.raw(n).to_string());
                let v = child
                    .child_by_field_name("value")
                    .map(|v| self.word(v).text.to_string());
                assignments.push((n.unwrap_or_default(), v.unwrap_or_default()));
                continue;
            }
            match node.field_name_for_child(i as u32) {
                Some("name") => name = Some(self.word(child)),
                Some("argument") => args.push(self.word(child)),
                _ => {}
            }
        }
        let Some(name) = name else {
            self.visit_children(node, None, subst);
            return;
        };
        let index = self.script.commands.len();
        let resolved = Resolved::of(&name, &args);
        self.script.commands.push(Command {
            resolved,
            name,
            args,
            span: span_of(node),
            assignments,
            pipeline,
            substitution: subst,
            heredoc: false,
            heredoc_input,
        });
        if let Some(p) = pipeline.and_then(|p| self.script.pipelines.get_mut(p)) {
            p.commands.push(index);
        }
        // Command substitutions inside the words.
        for c in children(node) {
            self.visit_substitutions(c);
        }
    }

    fn visit_substitutions(&mut self, node: Node) {
        if self.g.kind(node) == K::Substitution {
            self.visit(node, None, true);
            return;
        }
        if !self.enter() {
            return;
        }
        for c in children(node) {
            self.visit_substitutions(c);
        }
        self.depth -= 1;
    }

    fn raw(&self, node: Node) -> &str {
        self.src
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    /// The unquoted text of a word node.
    fn word(&self, node: Node) -> ShellWord {
        let mut literal = true;
        let mut text = String::new();
        self.unquote(node, &mut text, &mut literal, 0);
        ShellWord {
            text: text.into(),
            span: span_of(node),
            literal,
        }
    }

    fn unquote(&self, node: Node, out: &mut String, literal: &mut bool, depth: usize) {
        let raw = self.raw(node);
        let kind = self.g.kind(node);
        match kind {
            K::Word | K::CommandName if node.child_count() == 0 => {
                if raw.contains(['*', '?', '[']) {
                    *literal = false;
                }
                let mut chars = raw.chars();
                while let Some(ch) = chars.next() {
                    if ch == '\\' {
                        out.extend(chars.next());
                    } else {
                        out.push(ch);
                    }
                }
            }
            K::RawString => out.push_str(
                raw.strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or(raw),
            ),
            K::String => {
                for c in children(node) {
                    match self.g.kind(c) {
                        K::DoubleQuote => {}
                        K::StringContent => {
                            let mut chars = self.raw(c).chars().peekable();
                            while let Some(ch) = chars.next() {
                                if ch == '\\'
                                    && matches!(chars.peek(), Some('"' | '\\' | '$' | '`'))
                                {
                                    out.extend(chars.next());
                                } else {
                                    out.push(ch);
                                }
                            }
                        }
                        _ => {
                            *literal = false;
                            out.push_str(self.raw(c));
                        }
                    }
                }
            }
            K::Concatenation | K::CommandName if depth < MAX_WALK_DEPTH => {
                for c in children(node) {
                    self.unquote(c, out, literal, depth + 1);
                }
            }
            _ => {
                *literal = false;
                out.push_str(raw);
            }
        }
    }
}
