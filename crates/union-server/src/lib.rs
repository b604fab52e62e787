//! madoguchi-union-server: placeholder, filled by its issue.
