//! Imports: upload a file, follow a run, read its bad rows.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/imports",
        "post",
        {
            let mut o = op(
                "Import a file (the request body: CSV in UTF-8 or GBK, or XLSX; streamed to disk). 202 with the run; it imports in the background: poll GET /api/v1/imports/{id}.",
                "imports",
                None,
                ("202", "ImportRun"),
            );
            o["requestBody"] = json!({"required": true, "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
            }});
            o
        },
        vec![
            json!({"name": "kind", "in": "query", "required": true, "schema": {"type": "string", "enum": ["shipments", "tracking", "invoices", "payments", "customers", "contacts"]}}),
            json!({"name": "encoding", "in": "query", "schema": {"type": "string", "enum": ["utf-8", "gbk"]}}),
            json!({"name": "unknown_customers", "in": "query", "schema": {"type": "string", "enum": ["reject", "create"]}}),
            json!({"name": "profile", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "file_name", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "allow_duplicates", "in": "query", "schema": {"type": "boolean"}}),
        ],
    );
    p.add(
        "/api/v1/imports",
        "get",
        op(
            "The latest import runs you may see",
            "imports",
            None,
            ("200", "ImportRunList"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/imports/{id}",
        "get",
        op(
            "An import run: status, counts and its first 100 bad rows",
            "imports",
            None,
            ("200", "ImportRun"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/imports/{id}/errors",
        "get",
        {
            let mut o = op(
                "Every bad row of a run as CSV (row, column, value, reason)",
                "imports",
                None,
                ("200", ""),
            );
            o["responses"]["200"] = json!({"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}});
            o
        },
        cid(),
    );
}
