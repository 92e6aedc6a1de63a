#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on setup failures by design"
)]

//! The single integration test binary: each module starts the real `numis`
//! binary on a free port and talks HTTP to it.

// Content pages of the demo site: languages, navigation, caching headers.
mod demo_site;
// The real NUMIS privacy page (seed) rendered from a Grav tree.
mod seed_page;
// Every page of the Grav corpus routes as Grav would route it.
mod grav_corpus;
// A Grav tree not written for numis renders translated, linking only what exists.
mod foreign_tree;
// Privacy by construction: access records, cookies, third parties, headers.
mod privacy;
// `numis audit` on the demo and on installations broken on purpose.
mod audit;
// Operations: health, metrics, shutdown, reload, check, bad data dirs.
mod operations;
// The WMS at /ows: every operation, exceptions, L3, L7, reference images.
mod wms;
// One catalogue view: restricted layers and personal fields in every output.
mod catalogue_view;
// The map viewer: /karte, /embed, the bundle and the viewer's JSON API.
mod viewer;
// Drawings: save, view, change with the key, copy, expire, report.
mod drawings;
mod moderation;
// The console's accounts: list, search, roles, block, reset link, deletion.
mod console_accounts;
// An acknowledged save survives SIGKILL.
mod durability;
// PostgreSQL down and back: a clear start-up error, 503, reconnection.
mod store_outage;
// Two instances on one PostgreSQL store share everything they must.
mod instances;
// `numis store migrate-to`: SQLite to PostgreSQL and back.
mod store_migration;
// `numis account …`: accounts on the command line.
mod accounts_cli;
// Accounts over HTTP: the cookie, CSRF, login, roles for sessions and WMS clients.
mod accounts_http;
// "Mein NUMIS" library: drawings, views, export, erasure, display preferences.
mod accounts_library;
// "Mein NUMIS" settings: profile, password, recovery codes, second factor, sessions.
mod accounts_settings;
// A forgotten password: a link by mail (SMTP sink) and recovery codes.
mod accounts_mail;
// The operator's layer monitor: broken sources, per-layer counts and times.
mod layer_monitor;
// Console: the layer monitor page and the effective configuration with `numis check`.
mod console_layers;
// Console: the privacy audit run from the console, its report shown and downloaded.
mod console_privacy_audit;
// Anonymous event counts: exactly what was asked, never what was typed.
mod statistics;
// The operator console's statistics: exact numbers, CSV, only for operators.
mod console_dashboard;
// Third parties' data through the safe fetcher (issue 15).
mod external;
// Another authority's WMS (MapServer on this machine) through numis, SSRF suite.
mod external_wms;
// OGC API – Features at /ogcapi: the open layers for GIS clients (issue 15).
mod ogcapi;
// The site the open-data tests share.
mod open_data_site;
// Open-data downloads: every format unzips, licence note, L3, L7, /daten.
mod downloads;
// Printed maps: the PDF's text, page size, map and the refusals.
mod print;
// PostGIS layers against a real PostGIS.
mod postgis;
// Compressed answers: the precompressed bundle, text on the fly, never images.
mod compression;
// Console, moderation: drawings, a drawing with its map, actions as forms, the audit trail.
mod console_moderation;
// Measured series of stations: /api/series, JSON and CSV (issue 18).
mod series;
// Measured series from an OGC SensorThings API, through the safe fetcher.
mod sensorthings;

mod image_diff;
mod util;
mod xml;
