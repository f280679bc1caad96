//! Moving parsed pieces of a model by a byte and a line offset, for the incremental update:
//! an instruction after an edit is the same instruction, only somewhere else.
//!
//! Every impl destructures its type completely, so that a field added to the model without
//! a matching line here is a compile error rather than a stale span.

use super::{
    Comment, Details, Flag, FlagOption, Heredoc, ImageRef, Instruction, JsonArgs, KeyValue,
    ParseError, Rest, Span, Stage, VarUse, Word,
};

/// A move: `bytes` added to every offset, `lines` to every line number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Delta {
    pub bytes: isize,
    pub lines: isize,
}

impl Delta {
    pub fn is_zero(&self) -> bool {
        self.bytes == 0 && self.lines == 0
    }
    #[inline]
    fn offset(&self, o: usize) -> usize {
        o.wrapping_add_signed(self.bytes)
    }
    #[inline]
    fn line(&self, l: usize) -> usize {
        l.wrapping_add_signed(self.lines)
    }
}

pub(crate) trait Shift {
    fn shift(&mut self, d: Delta);
}

impl Shift for Span {
    #[inline]
    fn shift(&mut self, d: Delta) {
        self.start = d.offset(self.start);
        self.end = d.offset(self.end);
    }
}

impl<T: Shift> Shift for Option<T> {
    #[inline]
    fn shift(&mut self, d: Delta) {
        if let Some(x) = self {
            x.shift(d);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    #[inline]
    fn shift(&mut self, d: Delta) {
        (**self).shift(d);
    }
}

impl<T: Shift> Shift for [T] {
    #[inline]
    fn shift(&mut self, d: Delta) {
        for x in self {
            x.shift(d);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    #[inline]
    fn shift(&mut self, d: Delta) {
        self.as_mut_slice().shift(d);
    }
}

impl Shift for Word {
    #[inline]
    fn shift(&mut self, d: Delta) {
        let Word {
            value: _,
            raw: _,
            span,
        } = self;
        span.shift(d);
    }
}

impl Shift for Rest {
    #[inline]
    fn shift(&mut self, d: Delta) {
        let Rest { value: _, span } = self;
        span.shift(d);
    }
}

impl Shift for FlagOption {
    fn shift(&mut self, d: Delta) {
        let FlagOption {
            key: _,
            value: _,
            span,
            key_span,
            value_span,
        } = self;
        span.shift(d);
        key_span.shift(d);
        value_span.shift(d);
    }
}

impl Shift for Flag {
    fn shift(&mut self, d: Delta) {
        let Flag {
            name: _,
            value: _,
            span,
            name_span,
            value_span,
            options,
        } = self;
        span.shift(d);
        name_span.shift(d);
        value_span.shift(d);
        options.shift(d);
    }
}

impl Shift for KeyValue {
    fn shift(&mut self, d: Delta) {
        let KeyValue {
            key,
            value,
            span,
            legacy: _,
        } = self;
        key.shift(d);
        value.shift(d);
        span.shift(d);
    }
}

impl Shift for JsonArgs {
    fn shift(&mut self, d: Delta) {
        let JsonArgs { items, span } = self;
        items.shift(d);
        span.shift(d);
    }
}

impl Shift for Heredoc {
    fn shift(&mut self, d: Delta) {
        let Heredoc {
            delimiter: _,
            strip_tabs: _,
            quoted: _,
            marker_span,
            body_span,
            body: _,
            end_span,
        } = self;
        marker_span.shift(d);
        body_span.shift(d);
        end_span.shift(d);
    }
}

impl Shift for ImageRef {
    fn shift(&mut self, d: Delta) {
        let ImageRef {
            raw: _,
            span,
            registry: _,
            name: _,
            tag: _,
            digest: _,
            has_variables: _,
            name_span,
            tag_span,
            digest_span,
        } = self;
        span.shift(d);
        name_span.shift(d);
        tag_span.shift(d);
        digest_span.shift(d);
    }
}

impl Shift for Details {
    fn shift(&mut self, d: Delta) {
        match self {
            Details::From {
                image,
                as_keyword,
                stage_name,
            } => {
                image.shift(d);
                as_keyword.shift(d);
                stage_name.shift(d);
            }
            Details::Pairs(pairs) => pairs.shift(d),
            Details::Onbuild(inner) => inner.shift(d),
            Details::Healthcheck { none: _, cmd } => cmd.shift(d),
            Details::None => {}
        }
    }
}

impl Shift for Comment {
    fn shift(&mut self, d: Delta) {
        let Comment {
            text: _,
            span,
            line,
        } = self;
        span.shift(d);
        *line = d.line(*line);
    }
}

impl Shift for Instruction {
    fn shift(&mut self, d: Delta) {
        let Instruction {
            kind: _,
            keyword: _,
            keyword_span,
            span,
            start_line,
            end_line,
            flags,
            rest,
            words,
            json,
            heredocs,
            details,
            stage: _,
            empty_continuation_lines,
            inner_comments,
        } = self;
        keyword_span.shift(d);
        span.shift(d);
        *start_line = d.line(*start_line);
        *end_line = d.line(*end_line);
        flags.shift(d);
        rest.shift(d);
        words.shift(d);
        json.shift(d);
        heredocs.shift(d);
        details.shift(d);
        for l in empty_continuation_lines {
            *l = d.line(*l);
        }
        inner_comments.shift(d);
    }
}

impl Shift for ParseError {
    fn shift(&mut self, d: Delta) {
        let ParseError { span, message: _ } = self;
        span.shift(d);
    }
}

impl Shift for VarUse {
    fn shift(&mut self, d: Delta) {
        let VarUse {
            name: _,
            span,
            name_span,
            modifier: _,
            instruction: _,
            stage: _,
            in_shell: _,
            def: _,
        } = self;
        span.shift(d);
        name_span.shift(d);
    }
}

/// The parts of a stage copied from its FROM instruction (the rest is recomputed).
impl Shift for Stage {
    fn shift(&mut self, d: Delta) {
        let Stage {
            index: _,
            name,
            from: _,
            instructions: _,
            image,
            platform,
            span,
        } = self;
        name.shift(d);
        image.shift(d);
        platform.shift(d);
        span.shift(d);
    }
}
