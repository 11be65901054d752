-- The grid roster, its visits (民情走访) and the mediator roster. Keep in step with
-- ../postgres/0016_grid_and_roster.sql. Dates are 'YYYY-MM-DD' text in the center's time zone.

-- Households per village, area or group (a number the center keeps; NULL: not recorded).
ALTER TABLE org_units ADD COLUMN households BIGINT;

-- Who covers a unit and since when: a town leader a village (包村), a full-time grid worker an
-- area (包片), an auxiliary grid worker a group (包组). `ends_on` is the first day they no
-- longer cover it (NULL: still do), so the rows of a unit are its history.
CREATE TABLE grid_assignments (
    id          INTEGER PRIMARY KEY,
    town_id     BIGINT NOT NULL REFERENCES org_units (id),
    unit_id     BIGINT NOT NULL REFERENCES org_units (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT,
    assigned_by BIGINT REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX grid_assignments_unit ON grid_assignments (unit_id, ends_on);
CREATE INDEX grid_assignments_user ON grid_assignments (user_id, ends_on);
CREATE INDEX grid_assignments_town ON grid_assignments (town_id);
INSERT INTO grid_assignments (town_id, unit_id, user_id, starts_on, ends_on, assigned_by, created_at)
SELECT u.town_id, u.org_unit_id, u.id, date(u.created_at / 1000, 'unixepoch'), NULL, NULL, u.created_at
FROM users u JOIN org_units o ON o.id = u.org_unit_id
WHERE u.active = 1 AND u.town_id IS NOT NULL
  AND ((u.role = 'town_leader' AND o.level = 'village')
    OR (u.role = 'grid_worker' AND o.level IN ('area', 'group')))
  -- One cover per unit: of two accounts given the same unit, the first.
  AND u.id = (SELECT MIN(v.id) FROM users v WHERE v.org_unit_id = u.org_unit_id
              AND v.role = u.role AND v.active = 1);
-- At most one current cover per unit.
CREATE UNIQUE INDEX grid_assignments_current ON grid_assignments (unit_id) WHERE ends_on IS NULL;

-- The household list a center keeps for a unit (personal data: masked like parties).
CREATE TABLE households (
    id         INTEGER PRIMARY KEY,
    town_id    BIGINT NOT NULL REFERENCES org_units (id),
    unit_id    BIGINT NOT NULL REFERENCES org_units (id),
    head       TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    phone      TEXT,
    members    BIGINT,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX households_unit ON households (unit_id);

-- A grid worker's visit to a household or place. `outcome`: 'noted' (nothing to act on),
-- 'resolved' (settled on the spot: `case_id` is a case registered and closed at once) or
-- 'reported' (`case_id` is a case registered for the center). `tags` is a comma list.
-- `client_key` makes a resend after a lost answer the same visit. `photo` is a JPEG or PNG
-- as base64, made small in the browser.
CREATE TABLE grid_visits (
    id          INTEGER PRIMARY KEY,
    town_id     BIGINT NOT NULL REFERENCES org_units (id),
    unit_id     BIGINT NOT NULL REFERENCES org_units (id),
    worker_id   BIGINT NOT NULL REFERENCES users (id),
    visited_on  TEXT NOT NULL,
    place       TEXT NOT NULL,
    met         TEXT NOT NULL DEFAULT '',
    phone       TEXT,
    findings    TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    case_id     BIGINT REFERENCES cases (id),
    photo_type  TEXT,
    photo       TEXT,
    client_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (worker_id, client_key)
);
CREATE INDEX grid_visits_town_on ON grid_visits (town_id, visited_on);
CREATE INDEX grid_visits_unit_on ON grid_visits (unit_id, visited_on);

-- Mediators and village legal helpers (法律明白人) as people: `user_id` links a mediator's
-- account (legal helpers need none). `qualities` is a comma list of the selection standards
-- recorded (prestige, character, knowledge, experience, legal); `serves_unit_id` the village
-- committee they serve (NULL: the town's committee).
CREATE TABLE roster_people (
    id             INTEGER PRIMARY KEY,
    town_id        BIGINT NOT NULL REFERENCES org_units (id),
    user_id        BIGINT UNIQUE REFERENCES users (id),
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    phone          TEXT,
    serves_unit_id BIGINT REFERENCES org_units (id),
    appointed_on   TEXT,
    qualities      TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    active         BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL
);
CREATE INDEX roster_people_town ON roster_people (town_id, kind);
INSERT INTO roster_people (town_id, user_id, kind, name, serves_unit_id, created_at)
SELECT town_id, id, 'mediator', display_name, org_unit_id, created_at FROM users
WHERE role = 'mediator' AND town_id IS NOT NULL;

-- A person's specialties (dispute categories): the mediators' move here from
-- mediator_specialties.
CREATE TABLE roster_specialties (
    person_id BIGINT NOT NULL REFERENCES roster_people (id),
    category  TEXT NOT NULL,
    PRIMARY KEY (person_id, category)
);
INSERT INTO roster_specialties (person_id, category)
SELECT p.id, s.category FROM mediator_specialties s JOIN roster_people p ON p.user_id = s.user_id;
DROP TABLE mediator_specialties;

-- Trainings a person took part in.
CREATE TABLE roster_trainings (
    id         INTEGER PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES roster_people (id),
    held_on    TEXT NOT NULL,
    title      TEXT NOT NULL,
    hours      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX roster_trainings_person ON roster_trainings (person_id);
