//! Scaffolding: replaced by the real builder.
use super::Model;

pub fn build(_text: &str) -> Model {
    Model { escape: '\\', ..Model::default() }
}
