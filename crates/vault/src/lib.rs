//! madoguchi-vault: placeholder, filled by its issue.
