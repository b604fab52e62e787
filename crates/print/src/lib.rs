//! madoguchi-print: placeholder, filled by its issue.
