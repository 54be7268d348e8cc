//! Older manifest schemas, brought to the current one in the document (comments kept).

use toml_edit::{DocumentMut, value};

use super::SCHEMA;

/// Schema 0 → 1: `[[resources]]` → `[[resource]]`, and a `schema` key.
pub(super) fn migrate(doc: &mut DocumentMut) {
    if let Some(item) = doc.remove("resources") {
        doc.insert("resource", item);
    }
    // `schema` goes first, as `scaffold new` writes it, taking over the first key's leading
    // comments (the file header) so they stay at the top.
    let table = doc.as_table_mut();
    let first = table.iter().next().map(|(k, _)| k.to_owned());
    let header = first
        .as_deref()
        .and_then(|k| table.key_mut(k))
        .map(|mut key| {
            let decor = key.leaf_decor_mut();
            let prefix = decor.prefix().cloned();
            decor.set_prefix("");
            prefix
        });
    table.insert("schema", value(SCHEMA));
    table.sort_values_by(|a, _, b, _| (b.get() == "schema").cmp(&(a.get() == "schema")));
    if let (Some(Some(prefix)), Some(mut key)) = (header, table.key_mut("schema")) {
        key.leaf_decor_mut().set_prefix(prefix);
    }
}
