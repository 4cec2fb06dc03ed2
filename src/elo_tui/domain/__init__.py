"""Pure domain: records, code lists, rules and maths. No Textual, SQLite or HTTP here."""
