//! Parse benchmarks on the 5,000-line synthetic Dockerfile: a full parse, and an
//! incremental re-parse after a one-character edit.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tree_sitter::{InputEdit, Parser, Point, Tree};

const BIG: &str = include_str!("../../../tests/fixtures/bench/Dockerfile.big");

fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("grammar ABI is supported by the runtime");
    parser
}

fn point_of(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count();
    Point::new(row, column)
}

/// Replaces one character in the middle of the file (inside a RUN command).
fn one_char_edit(text: &str) -> (String, InputEdit) {
    let anchor = text.len() / 2;
    let offset = text[anchor..]
        .find("apt-get")
        .map(|i| anchor + i)
        .unwrap_or(anchor);
    let mut edited = String::with_capacity(text.len());
    edited.push_str(&text[..offset]);
    edited.push('A');
    edited.push_str(&text[offset + 1..]);
    let position = point_of(text, offset);
    let edit = InputEdit {
        start_byte: offset,
        old_end_byte: offset + 1,
        new_end_byte: offset + 1,
        start_position: position,
        old_end_position: Point::new(position.row, position.column + 1),
        new_end_position: Point::new(position.row, position.column + 1),
    };
    (edited, edit)
}

fn bench_parse(c: &mut Criterion) {
    let mut parser = parser();

    // The tree is dropped outside the measured time: this is the parse alone.
    c.bench_function("full parse (Dockerfile.big, 5000 lines)", |b| {
        b.iter_with_large_drop(|| parser.parse(black_box(BIG), None).expect("parse"))
    });

    let old_tree: Tree = parser.parse(BIG, None).expect("parse");
    let (edited, edit) = one_char_edit(BIG);
    c.bench_function("incremental re-parse after a one-character edit", |b| {
        b.iter_batched(
            || {
                let mut tree = old_tree.clone();
                tree.edit(&edit);
                tree
            },
            |tree| {
                let new_tree = parser
                    .parse(black_box(&edited), Some(&tree))
                    .expect("parse");
                black_box(new_tree)
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
