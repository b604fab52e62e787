-- Madoguchi union store, schema version 1.
-- Values that hold personal data are sealed (XChaCha20-Poly1305 under the store key, crate::crypt) and the
-- search columns are HMAC blind values (`token`): no name, kana, address, birth date or 個人番号 is stored
-- in plaintext. Municipality codes, ids, times and sequence numbers are not personal data and stay plain
-- so that the database can filter and order by them.

CREATE TABLE meta (
    name text PRIMARY KEY,
    value bytea NOT NULL
);

-- 被保険者番号 serials: one sequence for every instance, so a number is never handed out twice.
CREATE SEQUENCE insured_serial START WITH 10000001 MINVALUE 1 MAXVALUE 99999999 NO CYCLE;

CREATE TABLE residents (
    id uuid PRIMARY KEY,
    municipality text NOT NULL,
    sealed bytea NOT NULL
);
CREATE INDEX residents_by_municipality ON residents (municipality, id);

-- kind: 1 宛名番号, 2 被保険者番号 (both unique), 3 カナ prefix, 4 生年月日.
CREATE TABLE resident_index (
    kind smallint NOT NULL,
    token bytea NOT NULL,
    resident uuid NOT NULL,
    PRIMARY KEY (kind, token, resident)
);
CREATE UNIQUE INDEX resident_index_unique ON resident_index (kind, token) WHERE kind IN (1, 2);
CREATE INDEX resident_index_by_resident ON resident_index (resident);

CREATE TABLE documents (
    id uuid PRIMARY KEY,
    sealed bytea NOT NULL
);

CREATE TABLE ledger (
    notification_id uuid PRIMARY KEY,
    sealed bytea NOT NULL
);

CREATE TABLE idempotency (
    municipality text NOT NULL,
    key uuid NOT NULL,
    decided_at timestamptz NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (municipality, key)
);

CREATE TABLE incomes (
    resident uuid NOT NULL,
    fiscal_year integer NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (resident, fiscal_year)
);

CREATE TABLE staff (
    user_id text PRIMARY KEY,
    sealed bytea NOT NULL
);

CREATE TABLE audit (
    seq bigserial PRIMARY KEY,
    municipality text NOT NULL,
    at timestamptz NOT NULL,
    sealed bytea NOT NULL
);
CREATE INDEX audit_by_municipality ON audit (municipality, seq);

CREATE TABLE chain_heads (
    municipality text NOT NULL,
    terminal text NOT NULL,
    head bytea,
    PRIMARY KEY (municipality, terminal)
);

CREATE TABLE chain_entries (
    municipality text NOT NULL,
    terminal text NOT NULL,
    seq bigint NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (municipality, terminal, seq)
);

-- kind: 1 target reference (blind), 2 staff user (blind), 3 day in Japan (YYYYMMDD, not personal).
CREATE TABLE chain_index (
    kind smallint NOT NULL,
    municipality text NOT NULL,
    token bytea NOT NULL,
    terminal text NOT NULL,
    seq bigint NOT NULL,
    PRIMARY KEY (kind, municipality, token, terminal, seq)
);

CREATE TABLE chain_flags (
    id bigserial PRIMARY KEY,
    municipality text NOT NULL,
    dedup bytea NOT NULL UNIQUE,
    sealed bytea NOT NULL
);

CREATE TABLE distributions (
    id uuid PRIMARY KEY,
    sealed bytea NOT NULL
);

CREATE TABLE distribution_chunks (
    id uuid NOT NULL,
    generation integer NOT NULL,
    chunk integer NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (id, generation, chunk)
);

CREATE TABLE distribution_ledger (
    id uuid NOT NULL,
    seq bigint NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (id, seq)
);

CREATE TABLE reprint_approvals (
    document uuid NOT NULL,
    approval uuid NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (document, approval)
);
